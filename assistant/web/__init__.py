"""The Gradio web front end: the app and server (``app``), the HTTP API (``api``), page
handlers (``handlers``), rendering (``render``) and the login throttle (``login``).
"""
