using System.DirectoryServices.Protocols;
using System.Net;

namespace Gateway.Lookups;

/// <summary>
/// Searches an LDAP directory for one address over <c>System.DirectoryServices.Protocols</c> (OpenLDAP's libldap on
/// Linux): the servers in order, each with its own time limit, the address put into the filter escaped per RFC 4515.
/// Bound connections are kept for the next search (a few per server), so a lookup per RCPT costs one round trip, not
/// a connect and a bind. Throws <see cref="LdapUnavailableException"/> when no server completes the search; what that
/// means is the caller's decision. Disposing closes the kept connections and keeps no more; searches still work.
/// </summary>
public sealed class LdapSearch : IDisposable
{
    /// <summary>Idle connections kept per server; more are opened while searches overlap, and closed after.</summary>
    private const int MaxIdlePerServer = 2;

    private readonly LdapSearchOptions _options;
    private readonly Dictionary<Uri, Stack<LdapConnection>> _idle = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    public LdapSearch(LdapSearchOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Servers.Count == 0 || options.Servers.Any(s => s.Scheme is not ("ldap" or "ldaps")))
        {
            throw new ArgumentException("at least one server, each an ldap:// or ldaps:// URI", nameof(options));
        }

        if (!options.FilterTemplate.Contains("{0}", StringComparison.Ordinal))
        {
            throw new ArgumentException("the filter template must contain {0} for the address", nameof(options));
        }

        _options = options;
    }

    public LdapSearchOptions Options => _options;

    /// <summary>
    /// Tries each server in order and answers from the first that completes the search; <paramref name="read"/> turns
    /// its entries into the answer (on the search's worker thread, while the response is at hand).
    /// </summary>
    /// <param name="address">The value for <c>{0}</c> in the filter.</param>
    /// <param name="attributes">The attributes to return; "1.1" for none (RFC 4511 4.5.1.8), when only the entries' existence counts.</param>
    /// <param name="read">Reads the entries found (there may be none).</param>
    /// <param name="cancellationToken">Stops waiting; the blocking call underneath ends by its own time limit.</param>
    public async Task<T> SearchAsync<T>(string address, string[] attributes, Func<SearchResultEntryCollection, T> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentNullException.ThrowIfNull(read);
        var filter = LdapFilter.Build(_options.FilterTemplate, address);
        Exception? last = null;
        foreach (var server in _options.Servers)
        {
            try
            {
                // libldap's calls block; a worker thread carries them, and the wait is bounded twice (the library's
                // own timeout, and ours in case it ignores it during connect).
                return await Task.Run(() => Search(server, filter, attributes, read), cancellationToken)
                    .WaitAsync(_options.Timeout * 2, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is DirectoryException or TimeoutException or LdapException)
            {
                last = e;
            }
        }

        throw new LdapUnavailableException(last?.Message ?? "no LDAP server configured", last);
    }

    public void Dispose()
    {
        List<LdapConnection> idle;
        lock (_gate)
        {
            _disposed = true;
            idle = [.. _idle.Values.SelectMany(s => s)];
            _idle.Clear();
        }

        foreach (var connection in idle)
        {
            connection.Dispose();
        }
    }

    private T Search<T>(Uri server, string filter, string[] attributes, Func<SearchResultEntryCollection, T> read)
    {
        // A kept connection may have been closed by the server meanwhile (a restart, its idle timeout): a failure on
        // it is tried once more on a new connection before the server counts as unavailable.
        if (TakeIdle(server) is { } kept)
        {
            try
            {
                var answer = read(Run(kept, filter, attributes));
                Return(server, kept);
                return answer;
            }
            catch (Exception e) when (e is DirectoryException or LdapException)
            {
                kept.Dispose();
            }
        }

        var connection = Connect(server);
        try
        {
            var answer = read(Run(connection, filter, attributes));
            Return(server, connection);
            return answer;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private LdapConnection Connect(Uri server)
    {
        var identifier = new LdapDirectoryIdentifier(server.Host, server.IsDefaultPort ? DefaultPort(server) : server.Port);
        var connection = _options.BindDn is null
            ? new LdapConnection(identifier) { AuthType = AuthType.Anonymous }
            : new LdapConnection(identifier, new NetworkCredential(_options.BindDn, _options.BindPassword), AuthType.Basic);
        try
        {
            connection.SessionOptions.ProtocolVersion = 3;
            connection.SessionOptions.SecureSocketLayer = server.Scheme == "ldaps";
            connection.SessionOptions.ReferralChasing = ReferralChasingOptions.None;
            connection.Timeout = _options.Timeout;
            connection.Bind();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private SearchResultEntryCollection Run(LdapConnection connection, string filter, string[] attributes)
    {
        var request = new SearchRequest(_options.BaseDn, filter, SearchScope.Subtree, attributes)
        {
            SizeLimit = _options.MaxEntries,
            TimeLimit = _options.Timeout,
        };
        try
        {
            return ((SearchResponse)connection.SendRequest(request, _options.Timeout)).Entries;
        }
        catch (DirectoryOperationException e) when (e.Response is SearchResponse partial && partial.ResultCode == ResultCode.SizeLimitExceeded)
        {
            // More entries match than we read: the first ones are an answer, not a failure.
            return partial.Entries;
        }
    }

    private LdapConnection? TakeIdle(Uri server)
    {
        lock (_gate)
        {
            return _idle.TryGetValue(server, out var stack) && stack.TryPop(out var connection) ? connection : null;
        }
    }

    private void Return(Uri server, LdapConnection connection)
    {
        lock (_gate)
        {
            if (!_disposed)
            {
                if (!_idle.TryGetValue(server, out var stack))
                {
                    stack = new Stack<LdapConnection>();
                    _idle[server] = stack;
                }

                if (stack.Count < MaxIdlePerServer)
                {
                    stack.Push(connection);
                    return;
                }
            }
        }

        connection.Dispose();
    }

    private static int DefaultPort(Uri server) => server.Scheme == "ldaps" ? 636 : 389;
}
