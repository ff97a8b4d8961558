OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Requests#scenario.metric.usage.requests'=42requests;;;0;100 'requests_limit'=100requests;;;;
exit 0
