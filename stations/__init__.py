"""The election registry, the ground every other app stands on: elections, regions, districts and
polling stations, their CSV importer, and the random observation sample (draws are recorded).

May import: core only.
"""
