"""Structured checklists: definitions built in the admin, frozen into versions when published, and
the observers' answers, whose critical answers become incident reports."""
