OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Step 1 s - Home page#scenario.metric.usage.milliseconds'=1.2345s;;;;
exit 0
