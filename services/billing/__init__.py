"""billing — money: fee schedules, and fees assessed on decided cases."""
