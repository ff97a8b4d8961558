WARNING: Scenario 'intranet_home' status: WARNING | 'crm_login~Availability#scenario.metric.usage.'=99.5%;;;; 'crm_login~Durée étape 2#scenario.metric.usage.milliseconds'=456.25ms;;;; 'crm_login~HTTP status#scenario.metric.usage.count'=200status;;;; 'crm_login~Page size#scenario.metric.usage.bytes'=123456bytes;;;; 'crm_login~Requests#scenario.metric.usage.requests'=42requests;;;; 'crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds'=1234.5ms;;;; 'crm_login~Throughput#scenario.metric.usage.bitspersecond'=1200.25bps;;;; 'crm_login~Nb lignes#scenario.formatted_metric.usage.count'=17;;;; 'crm_login~Temps total#scenario.formatted_metric.usage.count'=1234.5;;;; 'intranet_home~Launch#scenario.metric.usage.milliseconds'=2500ms;;;;
scenario 'crm_login'
    status: OK
    metric 'Availability' v=99.5 %
    metric 'Durée étape 2' v=456.25 ms
    metric 'HTTP status' v=200 status
    metric 'Page size' v=120.56 KB
    metric 'Requests' v=42 requests
    metric 'Step 1 - Home page' v=1234.5 ms
    metric 'Throughput' v=1.20 Kb/s
    formatted metric 'Nb lignes' v=17
    formatted metric 'Temps total' v=1234.5
scenario 'intranet_home'
    status: WARNING
    metric 'Launch' v=2500 ms
exit 1
