"""Requests outside a drop: Resy lookups (slots, venue, release facts, ping) and account
operations (sign in, refresh, cards, Notify, token renewal), each on one client and loop.

It sits above the providers, the engine, the HTTP edge and the store, and below the command line.
"""
