<?xml version="1.0" encoding="utf-8"?>
<plugin>
  <name>apps::monitoring::mip::restapi::plugin</name>
  <mode>list-scenarios</mode>
  <exit>critical</exit>
  <outputs>
    <output>
      <type>1</type>
      <exit>CRITICAL</exit>
      <msg>CRITICAL: Cannot decode response (add --debug option to display returned content)</msg>
    </output>
  </outputs>
  <perfdatas/>
</plugin>
exit 2
