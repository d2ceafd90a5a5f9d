"""Argus's pure domain: issues, teams, role policy, workload assignment and reminder rules.

Standard library and msgspec only; everything that talks to the outside world sits behind
the ports in :mod:`argus_core.ports`.
"""
