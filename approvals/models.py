# Business cases and their decisions arrive with the approval workflow (issue 3).
