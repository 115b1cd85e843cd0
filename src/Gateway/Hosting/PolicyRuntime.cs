using System.Security.Cryptography.X509Certificates;
using Gateway.Authentication.Reports;
using Gateway.Host.Tls;
using Gateway.Pipeline;
using Gateway.Pipeline.Flow;
using Gateway.Policy;
using Gateway.Smtp.Server;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.Host.Hosting;

/// <summary>
/// One policy snapshot with everything derived from it that is costly or can fail: the trust decision and message pipeline, the
/// TLS certificate and the credentials. Built whole before it replaces the running one, so a certificate that
/// does not load leaves the previous runtime in force (DESIGN invariant 6).
/// </summary>
internal sealed class PolicyRuntime : IDisposable
{
    private PolicyRuntime(GatewayPolicy policy, X509Certificate2? certificate, CredentialsFile? credentials, SenderAuthentication? authentication, ILogger pipelineLogger)
    {
        Policy = policy;
        Pipeline = new MessagePipeline(policy, authentication, pipelineLogger);
        Certificate = certificate;
        Credentials = credentials;
        Authentication = authentication;
    }

    public GatewayPolicy Policy { get; }

    /// <summary>The trust decision and the message flows of this snapshot.</summary>
    public MessagePipeline Pipeline { get; }

    public X509Certificate2? Certificate { get; }

    public CredentialsFile? Credentials { get; }

    /// <summary>SPF, DKIM, ARC and DMARC services and the signing keys of this snapshot.</summary>
    public SenderAuthentication? Authentication { get; }

    public static PolicyRuntime? TryBuild(
        GatewayPolicy policy,
        TimeProvider time,
        out IReadOnlyList<PolicyError> errors,
        ILoggerFactory? loggers = null,
        DmarcReportStore? reports = null)
    {
        var problems = new List<PolicyError>();
        var certificate = ServerCertificateSource.Load(policy, time, problems);

        CredentialsFile? credentials = null;
        if (policy.Auth.CredentialsFile is { } credentialsPath)
        {
            var (file, credentialErrors) = CredentialsFile.Load(credentialsPath);
            problems.AddRange(credentialErrors);
            credentials = file;
        }

        var authentication = AuthenticationFactory.Build(policy, time, loggers, reports, problems);
        errors = problems;
        if (problems.Count > 0)
        {
            certificate?.Dispose();
            authentication?.Dispose();
            return null;
        }

        return new PolicyRuntime(policy, certificate, credentials, authentication, loggers?.CreateLogger("Gateway.Pipeline") ?? NullLogger.Instance);
    }

    /// <summary>The options for one session on the named listener, from this snapshot.</summary>
    public SmtpSessionOptions SessionOptions(ListenerPolicy listener)
    {
        var limits = Policy.Limits;
        var timeouts = limits.Timeouts;
        return new SmtpSessionOptions
        {
            HostName = Policy.HostName,
            Certificate = listener.Tls == ListenerTls.None ? null : Certificate,
            RequireTls = listener.RequireTls,
            AuthEnabled = listener.Auth && Credentials is not null,
            VrfyEnabled = Policy.Smtp.VrfyEnabled,
            MaxCommandLineLength = limits.CommandLineLength,
            MaxTextLineLength = limits.TextLineLength,
            MaxPathLength = limits.PathLength,
            MaxRecipients = limits.Recipients,
            MaxMessageSize = limits.MessageSize,
            MaxConnections = limits.Connections,
            MaxConnectionsPerClient = limits.ConnectionsPerIp,
            MaxErrors = limits.Errors,
            PregreetDelay = listener.PregreetDelay,
            RejectEarlyTalkers = listener.RejectEarlyTalkers,
            GreetingTimeout = timeouts.Greeting,
            CommandTimeout = timeouts.Command,
            DataBlockTimeout = timeouts.DataBlock,
            DataTerminationTimeout = timeouts.DataTermination,
            TlsHandshakeTimeout = timeouts.TlsHandshake,
            SessionDeadline = timeouts.Session,
            MinDataRate = limits.MinDataRate,
            MinDataRateGrace = limits.MinDataRateGrace,
        };
    }

    public void Dispose()
    {
        Certificate?.Dispose();
        Authentication?.Dispose();
    }
}
