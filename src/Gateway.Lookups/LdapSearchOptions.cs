namespace Gateway.Lookups;

/// <summary>Where and how an LDAP directory is searched for an address.</summary>
public record LdapSearchOptions(IReadOnlyList<Uri> Servers, string BaseDn)
{
    /// <summary>Simple bind DN; null binds anonymously.</summary>
    public string? BindDn { get; init; }

    public string? BindPassword { get; init; }

    /// <summary>The search filter; every <c>{0}</c> is replaced by the address, escaped per RFC 4515 3.</summary>
    public string FilterTemplate { get; init; } = "(mail={0})";

    /// <summary>Per server and request (connect, bind, search); the next server is tried after it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Entries read per search; a filter that matches a whole subtree must not pull it all in.</summary>
    public int MaxEntries { get; init; } = 10;

    // The password stays out of ToString (logs, exception messages, the debugger's display).
    protected virtual bool PrintMembers(System.Text.StringBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Append("Servers = [").AppendJoin(", ", Servers).Append("], BaseDn = ").Append(BaseDn)
            .Append(", BindDn = ").Append(BindDn).Append(", FilterTemplate = ").Append(FilterTemplate)
            .Append(", Timeout = ").Append(Timeout).Append(", MaxEntries = ").Append(MaxEntries);
        return true;
    }
}
