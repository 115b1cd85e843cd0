namespace Gateway.Policy;

/// <summary>Which HAProxy PROXY protocol header a listener expects (policy key listeners[].proxy_protocol).</summary>
public enum ListenerProxyProtocol
{
    Off,
    V1,
    V2,
    Any,
}
