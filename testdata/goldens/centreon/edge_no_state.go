UNKNOWN: Scenario 'no_state' status: none (the newest run has no state) | 'no_state~m#scenario.metric.usage.milliseconds'=5ms;;;;
checking scenario 'no_state'
    status: none (the newest run has no state)
    metric 'm' value: 5 ms
exit 3
