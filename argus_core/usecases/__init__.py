"""Use cases: each checks the policy, changes the domain and commits one unit of work."""
