using Gateway.Pipeline.Steps;
using Gateway.Pipeline.Steps.Authentication;
using Gateway.Pipeline.Steps.Senders;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Pipeline.Steps.Spam;
using Gateway.Pipeline.Steps.Trace;
using Gateway.Policy;
using Microsoft.Extensions.Logging;

namespace Gateway.Pipeline.Flow;

/// <summary>
/// The steps of one policy snapshot, each built once with what it needs; a step the policy switches off is null and
/// drops out of the flows.
/// </summary>
internal sealed class PipelineSteps
{
    public PipelineSteps(GatewayPolicy policy, TrustDecider trust, SenderAuthentication? auth, SmimeServices? smime, SpamServices? spam, ILogger logger)
    {
        HeaderSection = new HeaderSectionStep();
        Loop = new LoopStep(policy.Delivery.MaxReceivedHeaders);
        Received = new ReceivedStep(policy.HostName);
        SenderOwnership = new SenderOwnershipStep(trust);
        SpamScore = spam is not null && policy.Spam.Enabled ? new SpamScoreStep(spam, logger) : null;
        if (SpamScore is not null)
        {
            Attachments = policy.Spam.ChecksAttachments ? new AttachmentStep(spam!, logger) : null;
            ClamAv = policy.Spam.ClamAv is { } clamav && spam!.ClamAv is { } clamd ? new ClamAvStep(spam, clamav, clamd, logger) : null;
            Rspamd = policy.Spam.Rspamd is { } rspamd && spam!.Rspamd is { } client ? new RspamdStep(spam, rspamd, client, logger) : null;
        }

        if (smime is not null && policy.Smime.Enabled)
        {
            var settings = policy.Smime;
            SmimeSign = settings.Sign.Senders.Count > 0 ? new SmimeSignStep(settings.Sign, smime, logger) : null;
            var planner = new SmimeEncryptionPlanner(settings.Encrypt, smime);
            Encryption = planner.EncryptsNothing ? null : planner;
            SmimeEncrypt = Encryption is null ? null : new SmimeEncryptStep(Encryption, logger);
            SmimeDecrypt = settings.Decrypt ? new SmimeDecryptStep(policy, smime, logger) : null;
            SmimeVerify = settings.Verify.Enabled && smime.Verifier is { } verifier
                ? new SmimeVerifyStep(auth?.AuthservId ?? policy.HostName, verifier, smime, logger)
                : null;
        }

        if (auth is null)
        {
            return;
        }

        var checks = auth.Policy;
        Spf = checks.Spf.Verify ? new SpfStep() : null;
        Dkim = checks.Dkim.Verify ? new DkimVerifyStep(auth.Dkim) : null;
        Arc = checks.Arc.Verify ? new ArcVerifyStep(auth.Arc) : null;
        Dmarc = checks.Dmarc.Verify ? new DmarcStep(auth) : null;
        AuthenticationResults = auth.ChecksInbound ? new AuthenticationResultsStep(auth.AuthservId, logger) : null;
        ArcSeal = auth.SealKey is { } sealKey ? new ArcSealStep(auth.Sealer, auth.AuthservId, sealKey) : null;
        DkimSign = auth.SigningKeys.Count > 0 ? new DkimSignStep(auth, logger) : null;
    }

    public IMessageStep HeaderSection { get; }

    public IMessageStep Loop { get; }

    public IMessageStep Received { get; }

    public IMessageStep SenderOwnership { get; }

    public IMessageStep? Spf { get; }

    public IMessageStep? Dkim { get; }

    public IMessageStep? Arc { get; }

    public IMessageStep? Dmarc { get; }

    public IMessageStep? AuthenticationResults { get; }

    public IMessageStep? ArcSeal { get; }

    public IMessageStep? DkimSign { get; }

    public IMessageStep? SpamScore { get; }

    public IMessageStep? Attachments { get; }

    public IMessageStep? ClamAv { get; }

    public IMessageStep? Rspamd { get; }

    public IMessageStep? SmimeSign { get; }

    public IMessageStep? SmimeEncrypt { get; }

    public IMessageStep? SmimeDecrypt { get; }

    public IMessageStep? SmimeVerify { get; }

    /// <summary>The outbound encryption decisions; null when the policy encrypts to nobody.</summary>
    public SmimeEncryptionPlanner? Encryption { get; }
}
