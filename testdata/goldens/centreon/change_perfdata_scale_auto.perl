OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Throughput#scenario.metric.usage.bitspersecond'=1.17kbps;;;;
exit 0
