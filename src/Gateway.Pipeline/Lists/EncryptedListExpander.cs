using Gateway.Abstractions;
using Gateway.Pipeline.Steps.Smime;
using Gateway.Policy;
using Gateway.Smime.Cms;
using MimeKit;

namespace Gateway.Pipeline.Lists;

/// <summary>
/// Turns the copy of a message addressed to an encrypted list into one message for its members: the copy is
/// decrypted with the list's key when the vault could not do it at accept time, then encrypted once for every
/// member whose certificate is known. The author's fields (From, To, Subject, Date, Message-ID) and the trace fields
/// stay as they were; a List-Id names the list (RFC 2919). A member without a certificate gets nothing, never a
/// plaintext copy; nor does a member that is itself a list (the policy refuses such lists; a check here keeps an
/// expansion from ever feeding another one). Queue-free: the caller spools the result.
/// </summary>
public sealed class EncryptedListExpander
{
    private const string NoCertificate = "no S/MIME certificate for member";
    private const string WaitingForVault = "waiting for the key vault to be unsealed";
    private const string NestedList = "member is itself an encrypted list; lists do not nest";

    private readonly GatewayPolicy _policy;
    private readonly SmimeServices _services;
    private readonly SmimeDecryptor _decryptor;
    private readonly SmimeEncryptor _encryptor = new();
    private readonly HashSet<string> _ourDomains;

    public EncryptedListExpander(GatewayPolicy policy, SmimeServices services)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(services);
        _policy = policy;
        _services = services;
        _decryptor = new SmimeDecryptor(services.Keys, services.Limits);
        _ourDomains = new HashSet<string>(policy.Domains, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Expands <paramref name="message"/> (the list's copy as spooled) for <paramref name="list"/>'s members.</summary>
    public async Task<ListExpansion> ExpandAsync(SmimeListPolicy list, Stream message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(list);
        ArgumentNullException.ThrowIfNull(message);
        var options = ParserOptions.Default.Clone();
        options.MaxMimeDepth = _services.Limits.MaxMimeDepth + 1;
        using var parsed = await MimeMessage.LoadAsync(options, message, persistent: false, cancellationToken).ConfigureAwait(false);

        if (parsed.Body is MimePart encrypted && SmimeContent.IsEnvelope(encrypted))
        {
            // The vault was sealed when the message came in, so the decrypt step left it as it was.
            if (_services.IsSealed())
            {
                return Failed(ListExpansionStatus.VaultSealed, WaitingForVault);
            }

            var decrypted = await _decryptor.DecryptAsync(encrypted, cancellationToken).ConfigureAwait(false);
            if (decrypted.Status == SmimeDecryptStatus.Decrypted)
            {
                parsed.Body = decrypted.Content;
            }
            else if (decrypted.Status != SmimeDecryptStatus.NotEncrypted)
            {
                // A vault sealed between the check and the lookup answers "no key": that is still a wait, not a failure.
                return decrypted.Status == SmimeDecryptStatus.NoKey && _services.IsSealed()
                    ? Failed(ListExpansionStatus.VaultSealed, WaitingForVault)
                    : Failed(ListExpansionStatus.Undecryptable, "the list's copy could not be decrypted (" + decrypted.Status + ")");
            }
        }

        var recipients = new List<ListMember>();
        var certificates = new List<SmimeRecipient>();
        var refused = new List<ListMemberRefusal>();
        foreach (var member in list.Members)
        {
            var address = member.ToString();
            if (_policy.Smime.ListFor(address) is not null)
            {
                refused.Add(new ListMemberRefusal(member, DirectionOf(member), "5.7.1", "550 5.7.1 " + NestedList));
                continue;
            }

            if (await _services.FindCertificate(address, cancellationToken).ConfigureAwait(false) is not { } certificate)
            {
                refused.Add(new ListMemberRefusal(member, DirectionOf(member), "5.7.1", "550 5.7.1 " + NoCertificate));
                continue;
            }

            certificates.Add(certificate);
            recipients.Add(new ListMember(member, DirectionOf(member)));
        }

        if (recipients.Count == 0)
        {
            return new ListExpansion(ListExpansionStatus.NoMemberReachable, ReadOnlyMemory<byte>.Empty, [], refused,
                "no member of " + list.Address + " has an S/MIME certificate");
        }

        Relabel(parsed, list.Address);
        await _encryptor.EncryptAsync(parsed, certificates, SmimeEncryptOptions.Default, cancellationToken).ConfigureAwait(false);
        using var output = new MemoryStream();
        var format = FormatOptions.Default.Clone();
        format.NewLineFormat = NewLineFormat.Dos;
        await parsed.WriteToAsync(format, output, cancellationToken).ConfigureAwait(false);
        return new ListExpansion(ListExpansionStatus.Expanded, output.ToArray(), recipients, refused);
    }

    /// <summary>
    /// The accept-time marker ("decrypted by ...") described the list's copy, not this one: it goes, and ours says
    /// what happened. List-Id per RFC 2919 2: the list's address with its '@' turned into a dot.
    /// </summary>
    private void Relabel(MimeMessage message, Mailbox list)
    {
        message.Headers.RemoveAll(SmimeContent.MarkerField);
        message.Headers.RemoveAll(HeaderId.ListId);
        message.Headers.Add(HeaderId.ListId, "<" + list.LocalPart + "." + list.Domain + ">");
        message.Headers.Add(SmimeContent.MarkerField, $"list-expanded by {_policy.HostName}; list={list}");
    }

    /// <summary>As at RCPT time: a member in one of our domains is inbound, any other outbound.</summary>
    private MailDirection DirectionOf(Mailbox member) => _ourDomains.Contains(member.Domain) ? MailDirection.Inbound : MailDirection.Outbound;

    private static ListExpansion Failed(ListExpansionStatus status, string detail) =>
        new(status, ReadOnlyMemory<byte>.Empty, [], [], detail);
}
