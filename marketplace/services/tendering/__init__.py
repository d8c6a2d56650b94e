"""Tendering: sealed bids, the enquiry period and complaints in the standstill."""
