<?xml version="1.0" encoding="utf-8"?>
<plugin>
  <name>apps::monitoring::mip::restapi::plugin</name>
  <mode>scenarios</mode>
  <exit>CRITICAL</exit>
  <outputs>
    <output>
      <type>1</type>
      <exit>OK</exit>
      <msg>OK: All scenarios are ok</msg>
    </output>
    <output>
      <type>1</type>
      <exit>CRITICAL</exit>
      <msg>CRITICAL: Scenario 'eshop_checkout' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>CRITICAL</exit>
      <msg>CRITICAL: status: CRITICAL_TIMEOUT</msg>
    </output>
    <output>
      <type>1</type>
      <exit>UNKNOWN</exit>
      <msg>UNKNOWN: Scenario 'erp_desktop' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>UNKNOWN</exit>
      <msg>UNKNOWN: status: UNKNOWN</msg>
    </output>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: Scenario 'crm_search' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: status: Warning_Slow</msg>
    </output>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: Scenario 'intranet_home' </msg>
    </output>
    <output>
      <type>1</type>
      <exit>WARNING</exit>
      <msg>WARNING: status: WARNING</msg>
    </output>
  </outputs>
  <perfdatas>
    <perfdata>
      <unit>%</unit>
      <min/>
      <critical/>
      <max/>
      <warning/>
      <value>99.5</value>
      <nlabel>scenario.metric.usage.</nlabel>
      <instances>crm_login~Availability</instances>
      <mode>scenarios</mode>
      <label>crm_login~Availability#scenario.metric.usage.</label>
    </perfdata>
    <perfdata>
      <mode>scenarios</mode>
      <instances>crm_login~Durée étape 2</instances>
      <value>456.25</value>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <warning/>
      <max/>
      <critical/>
      <min/>
      <unit>ms</unit>
      <label>crm_login~Durée étape 2#scenario.metric.usage.milliseconds</label>
    </perfdata>
    <perfdata>
      <value>200</value>
      <nlabel>scenario.metric.usage.count</nlabel>
      <mode>scenarios</mode>
      <instances>crm_login~HTTP status</instances>
      <max/>
      <warning/>
      <critical/>
      <unit>status</unit>
      <min/>
      <label>crm_login~HTTP status#scenario.metric.usage.count</label>
    </perfdata>
    <perfdata>
      <critical/>
      <unit>bytes</unit>
      <min/>
      <value>123456</value>
      <nlabel>scenario.metric.usage.bytes</nlabel>
      <instances>crm_login~Page size</instances>
      <mode>scenarios</mode>
      <max/>
      <warning/>
      <label>crm_login~Page size#scenario.metric.usage.bytes</label>
    </perfdata>
    <perfdata>
      <label>crm_login~Requests#scenario.metric.usage.requests</label>
      <instances>crm_login~Requests</instances>
      <mode>scenarios</mode>
      <value>42</value>
      <nlabel>scenario.metric.usage.requests</nlabel>
      <warning/>
      <max/>
      <critical/>
      <min/>
      <unit>requests</unit>
    </perfdata>
    <perfdata>
      <min/>
      <unit>ms</unit>
      <critical/>
      <warning/>
      <max/>
      <mode>scenarios</mode>
      <instances>crm_login~Step 1 - Home page</instances>
      <value>1234.5</value>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <label>crm_login~Step 1 - Home page#scenario.metric.usage.milliseconds</label>
    </perfdata>
    <perfdata>
      <label>crm_login~Throughput#scenario.metric.usage.bitspersecond</label>
      <max/>
      <warning/>
      <value>1200.25</value>
      <nlabel>scenario.metric.usage.bitspersecond</nlabel>
      <mode>scenarios</mode>
      <instances>crm_login~Throughput</instances>
      <unit>bps</unit>
      <min/>
      <critical/>
    </perfdata>
    <perfdata>
      <label>crm_login~Nb lignes#scenario.formatted_metric.usage.count</label>
      <critical/>
      <min/>
      <unit/>
      <mode>scenarios</mode>
      <instances>crm_login~Nb lignes</instances>
      <nlabel>scenario.formatted_metric.usage.count</nlabel>
      <value>17</value>
      <warning/>
      <max/>
    </perfdata>
    <perfdata>
      <mode>scenarios</mode>
      <instances>crm_login~Temps total</instances>
      <value>1234.5</value>
      <nlabel>scenario.formatted_metric.usage.count</nlabel>
      <warning/>
      <max/>
      <critical/>
      <min/>
      <unit/>
      <label>crm_login~Temps total#scenario.formatted_metric.usage.count</label>
    </perfdata>
    <perfdata>
      <critical/>
      <unit>ms</unit>
      <min/>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <value>4200.75</value>
      <instances>crm_search~Search</instances>
      <mode>scenarios</mode>
      <max/>
      <warning/>
      <label>crm_search~Search#scenario.metric.usage.milliseconds</label>
    </perfdata>
    <perfdata>
      <min/>
      <unit>ms</unit>
      <critical/>
      <warning/>
      <max/>
      <instances>erp_desktop~Open customer file</instances>
      <mode>scenarios</mode>
      <value>15000</value>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <label>erp_desktop~Open customer file#scenario.metric.usage.milliseconds</label>
    </perfdata>
    <perfdata>
      <critical/>
      <unit>items</unit>
      <min/>
      <nlabel>scenario.metric.usage.</nlabel>
      <value>3</value>
      <mode>scenarios</mode>
      <instances>eshop_checkout~Cart size</instances>
      <max/>
      <warning/>
      <label>eshop_checkout~Cart size#scenario.metric.usage.</label>
    </perfdata>
    <perfdata>
      <max/>
      <warning/>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <value>30000</value>
      <instances>eshop_checkout~Pay</instances>
      <mode>scenarios</mode>
      <unit>ms</unit>
      <min/>
      <critical/>
      <label>eshop_checkout~Pay#scenario.metric.usage.milliseconds</label>
    </perfdata>
    <perfdata>
      <label>intranet_home~Launch#scenario.metric.usage.milliseconds</label>
      <unit>ms</unit>
      <min/>
      <critical/>
      <max/>
      <warning/>
      <value>2500</value>
      <nlabel>scenario.metric.usage.milliseconds</nlabel>
      <mode>scenarios</mode>
      <instances>intranet_home~Launch</instances>
    </perfdata>
  </perfdatas>
</plugin>
exit 2
