OK: Scenario 'crm_login' status: OK - All metrics are ok | 'crm_login~Availability#scenario.metric.usage.'=99.5%;;;; 'crm_login~Durée étape 2#scenario.metric.usage.milliseconds'=456.25ms;;;; 'crm_login~HTTP status#scenario.metric.usage.count'=200status;;;; 'crm_login~Page size#scenario.metric.usage.bytes'=123456bytes;;;; 'crm_login~Requests#scenario.metric.usage.requests'=42requests;;;; 'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'=1234.5ms;;;; 'crm_login~Throughput#scenario.metric.usage.bitspersecond'=1200.25bps;;;;
checking scenario 'crm_login'
    status: OK
    metric 'Availability' value: 99.5 %
    metric 'Durée étape 2' value: 456.25 ms
    metric 'HTTP status' value: 200 status
    metric 'Page size' value: 120.56 KB
    metric 'Requests' value: 42 requests
    metric 'Step 1 - Home page' value: 1234.5 ms
    metric 'Throughput' value: 1.20 Kb/s
exit 0
