"""The holder's dashboard: each grant's spend, projection and alerts, and what is due."""
