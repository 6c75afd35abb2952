"""The customer portal: sign up, submit, follow, reply, reopen. Customers see only their own tickets."""
