"""What people read: the template, feedback workbooks, review files, the monthly report, reminders."""
