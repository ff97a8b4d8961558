OK: Scenario 'Élan – “quotes” ✓ (Café)' status: OK - metric 'Durée' value: 1 ms | 'Élan – “quotes” ✓ (Café)~Durée#scenario.metric.usage.milliseconds'=1ms;;;;
checking scenario 'Élan – “quotes” ✓ (Café)'
    status: OK
    metric 'Durée' value: 1 ms
exit 0
