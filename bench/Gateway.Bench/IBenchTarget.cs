using System.Net;

namespace Gateway.Bench;

/// <summary>An SMTP server under measurement: the gateway or the Postfix baseline, both on loopback.</summary>
internal interface IBenchTarget : IAsyncDisposable
{
    string Name { get; }

    IPEndPoint EndPoint { get; }

    /// <summary>The processes that make up the server right now (Postfix forks one smtpd per session).</summary>
    IReadOnlyList<int> Processes();
}
