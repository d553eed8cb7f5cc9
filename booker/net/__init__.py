"""The network edge: the one place that turns requests into traffic.

http          the only module that imports the HTTP library (httpx's engine, driven directly)
"""
