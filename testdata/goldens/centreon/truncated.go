UNKNOWN: Cannot decode response: the response ends early (truncated JSON) 
exit 3
