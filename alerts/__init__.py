"""Budget and spend-spike alerts: evaluated set-based over the budget overview's UNION and the
daily spend tables, recorded in the console's own tables, sent by email and webhooks."""
