"""The integrity scores in the database: gathering the inputs in SQL (gather, which reads a
million reports' columns in one round trip with columns), recomputing and publishing them
(services), and doing so in the background, coalesced (tasks). The maths itself is
reports.scoring, which knows nothing of the database."""
