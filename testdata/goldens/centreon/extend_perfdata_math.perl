OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Page size#scenario.metric.usage.bytes'=123456bytes;;;; 'crm_login~Page size kB#scenario.metric.usage.bytes'=120.5625kB;;;;
exit 0
