OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Requests#scenario.metric.usage.requests'=42requests;;;0;100 'crm_login~Requests#scenario.metric.usage.requests_max'=100requests;;;;
exit 0
