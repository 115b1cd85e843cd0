using Gateway.Abstractions;
using Gateway.Policy;

namespace Gateway.Pipeline.Recipients;

/// <summary>A domain's remote source with the cache the host keeps for it.</summary>
public sealed record RecipientLookup(RecipientCache Cache, IRecipientSource Source);

/// <summary>
/// Recipient verification and per-domain message size of one policy snapshot (recipients:). The list files come
/// with the policy; LDAP and call-ahead are asked through the lookups the host built (their caches outlive the
/// snapshot). A domain the policy verifies remotely but that has no lookup here (the host could not build one) is
/// answered unavailable: an unknown address is never accepted for want of a source.
/// </summary>
public sealed class RecipientVerification
{
    private readonly RecipientsPolicy _policy;
    private readonly IReadOnlyDictionary<string, RecipientLookup> _lookups;

    public RecipientVerification(RecipientsPolicy policy, IReadOnlyDictionary<string, RecipientLookup>? lookups = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        _policy = policy;
        _lookups = lookups ?? new Dictionary<string, RecipientLookup>(StringComparer.Ordinal);
    }

    /// <summary>Whether the recipient, in one of our domains, exists.</summary>
    public async ValueTask<RecipientCheck> CheckAsync(Mailbox recipient, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (_policy.For(recipient) is not { } settings)
        {
            return RecipientCheck.NotVerified;
        }

        if (RecipientsPolicy.IsPostmaster(recipient))
        {
            return new RecipientCheck(RecipientStatus.Known, "postmaster");
        }

        if (settings.List is { } list)
        {
            // The file named, so that the refusal's log line says which list to edit.
            return list.Contains(recipient.LocalPart) ? new RecipientCheck(RecipientStatus.Known, "list") : new RecipientCheck(RecipientStatus.Unknown, "list", list.File);
        }

        if (!settings.VerifiedRemotely)
        {
            return RecipientCheck.NotVerified;
        }

        if (!_lookups.TryGetValue(recipient.Domain.ToLowerInvariant(), out var lookup))
        {
            return new RecipientCheck(RecipientStatus.Unavailable, settings.Ldap is not null ? "ldap" : "call-ahead", "no lookup for the domain in this runtime");
        }

        return await lookup.Cache.CheckAsync(recipient, lookup.Source, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// What the gateway may add to a message before relaying it to the internal server: its Received field,
    /// Authentication-Results, the spam verdict's fields and the trace id, a few hundred octets each. A message
    /// accepted at exactly the internal server's SIZE would otherwise be refused there after our 250, and its sender
    /// would get a failure notice instead of an immediate 552.
    /// </summary>
    public const long AddedFieldsAllowance = 16 * 1024;

    /// <summary>
    /// The largest message <paramref name="domain"/> takes, when smaller limits than limits.message_size apply: the
    /// policy's max_message_size (the message as received, as the admin wrote it), else the size its internal server
    /// declared to call-ahead less <see cref="AddedFieldsAllowance"/>; null: only the global limit.
    /// </summary>
    public long? MaxMessageSize(string domain)
    {
        ArgumentNullException.ThrowIfNull(domain);
        var key = domain.ToLowerInvariant();
        if (!_policy.Domains.TryGetValue(key, out var settings))
        {
            return null;
        }

        if (settings.MaxMessageSize is { } configured)
        {
            return configured;
        }

        return _lookups.TryGetValue(key, out var lookup) && lookup.Cache.LearnedMessageSize is { } learned
            ? Math.Max(1024, learned - AddedFieldsAllowance)
            : null;
    }
}
