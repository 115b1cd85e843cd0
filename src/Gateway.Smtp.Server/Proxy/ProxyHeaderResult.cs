using Gateway.Smtp.Protocol;

namespace Gateway.Smtp.Server.Proxy;

/// <summary>A parsed header, or the reason there is none (Problem non-null).</summary>
internal readonly record struct ProxyHeaderResult(ProxyHeader? Header, string? Problem)
{
    public bool IsValid => Problem is null;
}
