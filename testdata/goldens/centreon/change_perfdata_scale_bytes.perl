OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Page size#scenario.metric.usage.bytes'=120.56MB;;;;
exit 0
