"""The demo election ("Majilis 2023 (demo)") and `seed_demo`: built from the real 2023 facts in
demo/data, written through every app's services. It stands above every app and no product code
imports it.

May import: every app below config.
"""
