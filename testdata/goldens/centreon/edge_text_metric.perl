OK: Scenario 'text_metric' status: OK - All metrics are ok | 'text_metric~state text#scenario.metric.usage.milliseconds'=fastms;;;; 'text_metric~time#scenario.metric.usage.milliseconds'=10ms;;;; 'text_metric~Result#scenario.formatted_metric.usage.count'=Done;;;;
checking scenario 'text_metric'
    status: OK
    metric 'state text' value: fast ms
    metric 'time' value: 10 ms
    formatted metric 'Result' value: Done
exit 0
