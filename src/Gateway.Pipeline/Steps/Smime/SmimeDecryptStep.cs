using System.Globalization;
using Gateway.Policy;
using Gateway.Smime.Cms;
using Microsoft.Extensions.Logging;
using MimeKit;

namespace Gateway.Pipeline.Steps.Smime;

/// <summary>
/// Decrypts inbound mail encrypted for a recipient whose key the organisation holds, after the sender checks (they
/// judged the message as it came) and before delivery to the internal server, and says so in a marker field naming
/// the key. Mail that cannot be decrypted (no key, vault sealed, wrong key, damaged or oversized CMS) is delivered
/// unchanged with a marker saying why: nothing is lost. Decrypted content goes only to internal routes.
/// EFAIL: a whole encrypted body becomes the body; an encrypted part inside a multipart (where an attacker may
/// have wrapped it between parts of their own) is never spliced into that multipart as inline content: it becomes a
/// labelled message/rfc822 attachment, isolated from the parts around it, and the marker says the message was mixed.
/// </summary>
internal sealed class SmimeDecryptStep(GatewayPolicy policy, SmimeServices services, ILogger logger) : IMessageStep
{
    private readonly SmimeDecryptor _decryptor = new(services.Keys, services.Limits);

    public string Name => "smime-decrypt";

    public async ValueTask<StepVerdict> RunAsync(MessageContext message, CancellationToken cancellationToken)
    {
        var forged = SmimeContent.MarkerFields(message.Message.HeaderSection.Span);
        if (!message.Message.HasBody)
        {
            return new StepVerdict { Removals = forged };
        }

        var parsed = await message.ParseAsync(cancellationToken).ConfigureAwait(false);
        var encrypted = new List<(Multipart? Parent, int Index, MimePart Part)>();
        FindEncrypted(parsed.Body, null, 0, 0, encrypted);
        if (encrypted.Count == 0)
        {
            return new StepVerdict { Removals = forged };
        }

        var by = "by " + policy.HostName;
        string? refusal = null;
        if (message.Envelope.Recipients.FirstOrDefault(r => !HasInternalRoute(r.Address.Domain)) is { } external)
        {
            refusal = "reason=route-not-internal (" + external.Address.Domain + ")";
        }
        else if (services.IsSealed())
        {
            refusal = "reason=vault-sealed";
        }

        if (refusal is not null)
        {
            return Unchanged(message, forged, $"not-decrypted {by}; {refusal}");
        }

        if (encrypted is [{ Parent: null } whole])
        {
            var result = await _decryptor.DecryptAsync(whole.Part, cancellationToken).ConfigureAwait(false);
            if (result.Status == SmimeDecryptStatus.NotEncrypted)
            {
                return new StepVerdict { Removals = forged };
            }

            if (result.Status != SmimeDecryptStatus.Decrypted)
            {
                return Unchanged(message, forged, $"not-decrypted {by}; reason={Reason(result.Status)}", result.Detail);
            }

            var content = result.ContentAlgorithm is { } oid ? ContentAlgorithmNames.NameOf(oid) : "unknown";
            var marker = $"decrypted {by}; key={result.KeyName}; content={content}; integrity={(result.Authenticated ? "authenticated" : "none")}";
            return await DecryptedAsync(message, forged, marker, result.Content!, cancellationToken).ConfigureAwait(false);
        }

        return await IsolateAsync(message, parsed, encrypted, forged, by, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Encrypted parts inside a multipart: each decrypted one replaced by a labelled attachment.</summary>
    private async Task<StepVerdict> IsolateAsync(
        MessageContext message, MimeMessage parsed, List<(Multipart? Parent, int Index, MimePart Part)> encrypted, List<Gateway.Abstractions.ContentRange> forged, string by, CancellationToken cancellationToken)
    {
        var decrypted = 0;
        var failures = new List<string>();
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (parent, index, part) in encrypted)
        {
            var result = await _decryptor.DecryptAsync(part, cancellationToken).ConfigureAwait(false);
            if (result.Status == SmimeDecryptStatus.NotEncrypted)
            {
                continue;
            }

            if (result.Status != SmimeDecryptStatus.Decrypted)
            {
                failures.Add(Reason(result.Status));
                continue;
            }

            parent![index] = Isolated(result, ++decrypted);
            keys.Add(result.KeyName ?? "?");
        }

        if (decrypted == 0 && failures.Count == 0)
        {
            return new StepVerdict { Removals = forged };
        }

        if (decrypted == 0)
        {
            return Unchanged(message, forged, $"not-decrypted {by}; reason={failures[0]}; mixed-content");
        }

        var marker = string.Create(CultureInfo.InvariantCulture,
            $"decrypted-isolated {by}; parts={decrypted}; key={string.Join(",", keys)}; mixed-content (the unencrypted parts of this message were not protected)");
        return await DecryptedAsync(message, forged, marker, parsed.Body!, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The new body in place of the old one's MIME fields, the client's marker fields dropped, ours on top.</summary>
    private async Task<StepVerdict> DecryptedAsync(
        MessageContext message, List<Gateway.Abstractions.ContentRange> forged, string marker, MimeEntity body, CancellationToken cancellationToken)
    {
        var removals = SmimeContent.MimeFields(message.Message.HeaderSection.Span);
        removals.AddRange(forged);
        SmimeLog.Decryption(logger, message.Session.SessionId, message.Message.QueueId, marker);
        return new StepVerdict
        {
            Fields = SmimeContent.Marker(marker),
            Removals = removals,
            ReplacementTail = await SmimeContent.TailAsync(body, cancellationToken).ConfigureAwait(false),
            Reason = marker,
        };
    }

    /// <summary>The decrypted entity as a message of its own, an attachment a reader opens apart from its neighbours.</summary>
    private static MessagePart Isolated(SmimeDecryptResult result, int number)
    {
        var inner = new MimeMessage();
        inner.Headers.Add(SmimeContent.MarkerField, $"decrypted part {number} (key={result.KeyName})");
        inner.Subject = "Encrypted part " + number.ToString(CultureInfo.InvariantCulture) + " of this message, decrypted";
        inner.Body = result.Content;
        var part = new MessagePart("rfc822") { Message = inner };
        part.ContentDisposition = new ContentDisposition(ContentDisposition.Attachment) { FileName = $"decrypted-part-{number}.eml" };
        part.Headers.Add(HeaderId.ContentDescription, "Encrypted part, decrypted by the gateway; the rest of this message was not encrypted");
        return part;
    }

    private StepVerdict Unchanged(MessageContext message, List<Gateway.Abstractions.ContentRange> forged, string marker, string? detail = null)
    {
        SmimeLog.Decryption(logger, message.Session.SessionId, message.Message.QueueId, detail is null ? marker : marker + " (" + detail + ")");
        return new StepVerdict { Fields = SmimeContent.Marker(marker), Removals = forged, Reason = marker };
    }

    private bool HasInternalRoute(string domain) =>
        policy.Delivery.Routes.ContainsKey(domain.ToLowerInvariant()) || policy.Delivery.Routes.ContainsKey("*");

    /// <summary>The encrypted leaves, depth-first, bounded by the MIME depth limit (deeper ones are left as they are).</summary>
    private void FindEncrypted(MimeEntity? entity, Multipart? parent, int index, int depth, List<(Multipart?, int, MimePart)> found)
    {
        if (entity is null || depth > services.Limits.MaxMimeDepth)
        {
            return;
        }

        switch (entity)
        {
            case Multipart multipart when !multipart.ContentType.IsMimeType("multipart", "signed"):
                for (var i = 0; i < multipart.Count; i++)
                {
                    FindEncrypted(multipart[i], multipart, i, depth + 1, found);
                }

                break;
            case MimePart part when SmimeContent.IsEnvelope(part):
                found.Add((parent, index, part));
                break;
        }
    }

    private static string Reason(SmimeDecryptStatus status) => status switch
    {
        SmimeDecryptStatus.NoKey => "no-key",
        SmimeDecryptStatus.WrongKey => "wrong-key",
        SmimeDecryptStatus.Invalid => "invalid",
        SmimeDecryptStatus.UnsupportedAlgorithm => "unsupported-algorithm",
        SmimeDecryptStatus.TooLarge => "too-large",
        SmimeDecryptStatus.NestingTooDeep => "nesting-too-deep",
        _ => "not-encrypted",
    };
}
