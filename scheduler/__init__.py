"""The clock: a separate process that moves projects when their deadlines come."""
