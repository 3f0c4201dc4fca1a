"""Stand-ins for outside systems Pracha talks to, each run as its own process (see simulators.bank).

Standard library only, plus the pure-Python parts of Pracha they share (no Django).
"""
