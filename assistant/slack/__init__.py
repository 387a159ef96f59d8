"""The Slack front end: the Bolt app (``bot``), Block Kit rendering (``blocks``) and the
verified HTTP server / Socket Mode runner (``server``).
"""
