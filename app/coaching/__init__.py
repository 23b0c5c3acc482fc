"""Coaching (SPEC §6): mentorships, coaching sessions, notes, goals, action items, the
calendar feed and reminders. docs/coaching.md describes the rules."""
