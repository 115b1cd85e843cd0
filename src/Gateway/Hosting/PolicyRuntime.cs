using Gateway.Host.Tls;
using Gateway.Pipeline;
using Gateway.Pipeline.Flow;
using Gateway.Pipeline.Limits;
using Gateway.Pipeline.Recipients;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Policy;
using Gateway.Smtp.Server;
using Gateway.Smtp.Server.Tls;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Hosting;

/// <summary>
/// One policy snapshot with everything derived from it that is costly or can fail: the trust decision and message pipeline, the
/// TLS certificate and the credentials. Built whole before it replaces the running one, so a certificate that
/// does not load leaves the previous runtime in force (DESIGN invariant 6).
/// <para>
/// Reference-counted, because it holds private keys (the TLS key, DKIM and ARC signing keys) that sessions use
/// until they end: whoever built it holds the first reference and gives it up with <see cref="Dispose"/>; each
/// session holds a <see cref="RuntimeLease"/>. The keys are disposed when the last reference goes, so a replaced
/// runtime lives exactly as long as the last session that opened under it, and never waits for the finalizer.
/// </para>
/// </summary>
internal sealed class PolicyRuntime : IDisposable
{
    private int _references = 1;
    private int _ownerReleased;

    private PolicyRuntime(
        GatewayPolicy policy,
        LoadedCertificates? certificates,
        CredentialsFile? credentials,
        SenderAuthentication? authentication,
        SmimeServices? smime,
        SpamServices? spam,
        RecipientVerification? recipients,
        ILogger pipelineLogger)
    {
        Policy = policy;
        Smime = smime;
        Pipeline = new MessagePipeline(policy, authentication, pipelineLogger, smime, spam, recipients);
        Certificates = certificates?.Certificates;
        CertificateFingerprint = certificates?.Fingerprint;
        Credentials = credentials;
        Authentication = authentication;
    }

    public GatewayPolicy Policy { get; }

    /// <summary>The trust decision and the message flows of this snapshot.</summary>
    public MessagePipeline Pipeline { get; }

    /// <summary>The server certificates (chosen by SNI), or null when none is configured.</summary>
    public ServerCertificates? Certificates { get; }

    /// <summary>What the certificate files held when they were loaded (null: self-signed or none), to notice a renewal.</summary>
    public string? CertificateFingerprint { get; }

    public CredentialsFile? Credentials { get; }

    /// <summary>The S/MIME keys, certificates and verifier of this snapshot; null without an smime: section or a vault.</summary>
    public SmimeServices? Smime { get; }

    /// <summary>SPF, DKIM, ARC and DMARC services and the signing keys of this snapshot.</summary>
    public SenderAuthentication? Authentication { get; }

    /// <summary>This snapshot's rate limits and greylisting over the host's shared counters; null when neither is configured.</summary>
    public SessionLimits? Limits { get; private init; }

    /// <summary>True once the last reference is gone and the keys and certificate are disposed.</summary>
    public bool IsDisposed => Volatile.Read(ref _references) == 0;

    public static PolicyRuntime? TryBuild(GatewayPolicy policy, RuntimeServices services, out IReadOnlyList<PolicyError> errors)
    {
        var problems = new List<PolicyError>();
        var certificates = ServerCertificateSource.Load(policy, services.Time, problems);

        CredentialsFile? credentials = null;
        if (policy.Auth.CredentialsFile is { } credentialsPath)
        {
            var (file, credentialErrors) = CredentialsFile.Load(credentialsPath);
            problems.AddRange(credentialErrors);
            credentials = file;
        }

        var authentication = AuthenticationFactory.Build(policy, services, problems);
        var smime = policy.Smime.Enabled ? services.Smime?.Build(policy, problems) : null;
        var spam = SpamFactory.Build(policy, services, problems);
        var recipients = services.Recipients?.Build(policy, problems);
        errors = problems;
        if (problems.Count > 0)
        {
            certificates?.Certificates.Dispose();
            authentication?.Dispose();
            return null;
        }

        var pipelineLogger = services.Loggers.CreateLogger("Gateway.Pipeline");
        return new PolicyRuntime(policy, certificates, credentials, authentication, smime, spam, recipients, pipelineLogger)
        {
            Limits = SessionLimits.Create(policy, services.Limits, pipelineLogger),
        };
    }

    /// <summary>The options for one session on the named listener, from this snapshot.</summary>
    public SmtpSessionOptions SessionOptions(ListenerPolicy listener)
    {
        var limits = Policy.Limits;
        var timeouts = limits.Timeouts;
        return new SmtpSessionOptions
        {
            HostName = Policy.HostName,
            Certificates = listener.Tls == ListenerTls.None ? null : Certificates,
            RequireTls = listener.RequireTls,
            RequireTlsExtension = Policy.Tls.RequireTlsExtension,
            AuthEnabled = listener.Auth && Credentials is not null,
            RequireAuth = listener.RequireAuth,
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
            StrictCipherSuites = Policy.Tls.Ciphers == TlsCipherPolicy.Strict,
            SessionDeadline = timeouts.Session,
            MinDataRate = limits.MinDataRate,
            MinDataRateGrace = limits.MinDataRateGrace,
        };
    }

    /// <summary>
    /// One more reference for a user of the keys (a session), or null when the last reference is already gone:
    /// a disposed runtime is never handed out again.
    /// </summary>
    public RuntimeLease? TryLease()
    {
        var count = Volatile.Read(ref _references);
        while (count > 0)
        {
            var seen = Interlocked.CompareExchange(ref _references, count + 1, count);
            if (seen == count)
            {
                return new RuntimeLease(this);
            }

            count = seen;
        }

        return null;
    }

    /// <summary>Gives up the builder's reference (once); the keys go when no lease is left either.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _ownerReleased, 1) == 0)
        {
            Release();
        }
    }

    /// <summary>Gives up one reference; the last one disposes the certificate and the signing keys.</summary>
    internal void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            Certificates?.Dispose();
            Authentication?.Dispose();
        }
    }
}
