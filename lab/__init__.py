"""dsnparse's lab of real MTAs: real bounces made on one machine, with truth by construction."""
