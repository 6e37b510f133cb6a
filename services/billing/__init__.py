"""billing — money: fee schedules, fee assessment on decided cases, (later) payments and e-invoices."""
