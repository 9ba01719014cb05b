"""Words around the figures: league tables, popups and key facts."""
