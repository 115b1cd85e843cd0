using Gateway.Policy.Yaml;

namespace Gateway.Policy.Validation;

internal sealed partial class PolicyReader
{
    private static readonly string[] AttachmentKeys =
        ["block_types", "block_extensions", "action", "encrypted_archives", "archive_depth", "max_expanded", "score", "encrypted_score"];

    private static readonly string[] ClamAvKeys = ["address", "timeout", "on_failure", "virus_action", "max_size"];

    private static readonly (string Name, VirusAction Value)[] VirusActions = [("reject", VirusAction.Reject), ("quarantine", VirusAction.Quarantine)];
    private static readonly string[] RspamdKeys = ["url", "timeout", "weight", "max_score", "min_score", "on_failure", "max_size"];

    private static readonly (string Name, AttachmentAction Value)[] AttachmentActions =
        [("reject", AttachmentAction.Reject), ("tag", AttachmentAction.Tag)];

    private static readonly (string Name, ScannerFailureAction Value)[] ScannerFailureActions =
        [("tempfail", ScannerFailureAction.TempFail), ("accept", ScannerFailureAction.Accept)];

    private static readonly TimeSpan MaxScannerTimeout = TimeSpan.FromMinutes(5);

    /// <summary>spam.attachments or a domain's attachments:; what is not given comes from <paramref name="inherited"/>.</summary>
    private AttachmentPolicy ReadAttachments(YamlNode node, string section, AttachmentPolicy inherited)
    {
        var fields = Fields(node, section, AttachmentKeys);
        return new AttachmentPolicy
        {
            BlockTypes = TryGet(fields, "block_types", out var typesNode) ? ReadAttachmentTypes(typesNode, section + ".block_types") : inherited.BlockTypes,
            BlockExtensions = TryGet(fields, "block_extensions", out var extensionsNode)
                ? ReadExtensions(extensionsNode, section + ".block_extensions")
                : inherited.BlockExtensions,
            Action = TryGet(fields, "action", out var actionNode) ? ReadEnum(actionNode, section + ".action", AttachmentActions, inherited.Action) : inherited.Action,
            EncryptedArchives = TryGet(fields, "encrypted_archives", out var encryptedNode)
                ? ReadEnum(encryptedNode, section + ".encrypted_archives", AttachmentActions, inherited.EncryptedArchives)
                : inherited.EncryptedArchives,
            ArchiveDepth = TryGet(fields, "archive_depth", out var depthNode) ? ReadInt(depthNode, section + ".archive_depth", 0, 10, inherited.ArchiveDepth) : inherited.ArchiveDepth,
            MaxExpanded = TryGet(fields, "max_expanded", out var expandedNode)
                ? ReadSize(expandedNode, section + ".max_expanded", 1024 * 1024, 4L * 1024 * 1024 * 1024, inherited.MaxExpanded)
                : inherited.MaxExpanded,
            Score = TryGet(fields, "score", out var scoreNode) ? ReadNumber(scoreNode, section + ".score", -MaxSpamScore, MaxSpamScore, inherited.Score) : inherited.Score,
            EncryptedScore = TryGet(fields, "encrypted_score", out var encryptedScoreNode)
                ? ReadNumber(encryptedScoreNode, section + ".encrypted_score", -MaxSpamScore, MaxSpamScore, inherited.EncryptedScore)
                : inherited.EncryptedScore,
        };
    }

    private List<string> ReadAttachmentTypes(YamlNode node, string name)
    {
        var result = new List<string>();
        var items = Items(node, name);
        for (var i = 0; i < items.Count; i++)
        {
            var itemName = $"{name}[{i}]";
            var text = ReadString(items[i], itemName);
            if (text is null)
            {
                continue;
            }

            if (!AttachmentPolicy.KnownTypes.Contains(text, StringComparer.Ordinal))
            {
                var hint = KeySuggestion.Closest(text, [.. AttachmentPolicy.KnownTypes]);
                var message = $"{itemName}: '{Echo.Of(text)}' is not a file type (one of {string.Join(", ", AttachmentPolicy.KnownTypes)})";
                Error(items[i], hint is null ? message : $"{message}; did you mean '{hint}'?");
                continue;
            }

            if (!result.Contains(text, StringComparer.Ordinal))
            {
                result.Add(text);
            }
        }

        return result;
    }

    /// <summary>".exe" or "exe", any case; kept lower-case with the dot. Letters, digits, '_' and '-' only.</summary>
    private List<string> ReadExtensions(YamlNode node, string name)
    {
        var result = new List<string>();
        var items = Items(node, name);
        for (var i = 0; i < items.Count; i++)
        {
            var itemName = $"{name}[{i}]";
            var text = ReadString(items[i], itemName);
            if (text is null)
            {
                continue;
            }

            var bare = text.StartsWith('.') ? text[1..] : text;
            if (bare.Length is 0 or > 16 || !bare.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                Error(items[i], $"{itemName}: '{Echo.Of(text)}' is not a file name extension (e.g. .exe)");
                continue;
            }

            var extension = "." + bare.ToLowerInvariant();
            if (!result.Contains(extension, StringComparer.Ordinal))
            {
                result.Add(extension);
            }
        }

        return result;
    }

    private ClamAvPolicy? ReadClamAv(YamlNode node)
    {
        const string section = "spam.clamav";
        var fields = Fields(node, section, ClamAvKeys);
        if (fields is null)
        {
            return null;
        }

        if (!TryGet(fields, "address", out var addressNode))
        {
            Error(node, $"{section}.address is required (host:port, or unix:/path/to/clamd.ctl)");
            return null;
        }

        var defaults = new ClamAvPolicy();
        HostEndpoint? endpoint = null;
        string? socket = null;
        var text = ReadString(addressNode, section + ".address");
        if (text is null)
        {
            return null;
        }

        if (text.StartsWith("unix:", StringComparison.Ordinal))
        {
            socket = ReadSocketPath(addressNode, section + ".address", text[5..]);
            if (socket is null)
            {
                return null;
            }
        }
        else
        {
            var problem = HostParser.TryParseHostPort(text, ClamAvPolicy.DefaultPort, allowNames: true, out var host, out var port);
            if (problem is not null)
            {
                Error(addressNode, $"{section}.address: {problem}");
                return null;
            }

            endpoint = new HostEndpoint(host, port);
        }

        var (timeout, onFailure, maxSize) = ReadScannerLimits(fields, section, defaults.Timeout, defaults.OnFailure, defaults.MaxSize);
        return new ClamAvPolicy
        {
            Endpoint = endpoint,
            SocketPath = socket,
            Timeout = timeout,
            OnFailure = onFailure,
            VirusAction = TryGet(fields, "virus_action", out var virusNode)
                ? ReadEnum(virusNode, section + ".virus_action", VirusActions, defaults.VirusAction)
                : defaults.VirusAction,
            MaxSize = maxSize,
        };
    }

    private string? ReadSocketPath(YamlNode node, string name, string path)
    {
        if (path.Length == 0 || !Path.IsPathFullyQualified(path))
        {
            Error(node, $"{name}: '{Echo.Of(path)}' is not an absolute socket path");
            return null;
        }

        return path;
    }

    private RspamdPolicy? ReadRspamd(YamlNode node)
    {
        const string section = "spam.rspamd";
        var fields = Fields(node, section, RspamdKeys);
        if (fields is null)
        {
            return null;
        }

        if (!TryGet(fields, "url", out var urlNode))
        {
            Error(node, $"{section}.url is required (e.g. http://127.0.0.1:11333)");
            return null;
        }

        var text = ReadString(urlNode, section + ".url");
        if (text is null)
        {
            return null;
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https") || url.Host.Length == 0
            || url.Query.Length > 0 || url.Fragment.Length > 0 || url.UserInfo.Length > 0)
        {
            Error(urlNode, $"{section}.url: '{Echo.Of(text)}' is not an http:// or https:// URL of rspamd's normal worker");
            return null;
        }

        var defaults = new RspamdPolicy { Url = url };
        var maxScore = TryGet(fields, "max_score", out var maxNode) ? ReadNumber(maxNode, section + ".max_score", 0, MaxSpamScore, defaults.MaxScore) : defaults.MaxScore;
        var minScore = TryGet(fields, "min_score", out var minNode) ? ReadNumber(minNode, section + ".min_score", -MaxSpamScore, 0, defaults.MinScore) : defaults.MinScore;
        var (timeout, onFailure, maxSize) = ReadScannerLimits(fields, section, defaults.Timeout, defaults.OnFailure, defaults.MaxSize);
        return new RspamdPolicy
        {
            Url = url,
            Timeout = timeout,
            Weight = TryGet(fields, "weight", out var weightNode) ? ReadNumber(weightNode, section + ".weight", 0, 100, defaults.Weight) : defaults.Weight,
            MaxScore = maxScore,
            MinScore = minScore,
            OnFailure = onFailure,
            MaxSize = maxSize,
        };
    }

    /// <summary>timeout, on_failure and max_size, which every external scanner has; what is not given keeps its default.</summary>
    private (TimeSpan Timeout, ScannerFailureAction OnFailure, long MaxSize) ReadScannerLimits(
        Dictionary<string, YamlNode> fields, string section, TimeSpan timeout, ScannerFailureAction onFailure, long maxSize) =>
    (
        TryGet(fields, "timeout", out var timeoutNode) ? ReadDuration(timeoutNode, section + ".timeout", MinTimeout, MaxScannerTimeout, timeout) : timeout,
        TryGet(fields, "on_failure", out var failureNode) ? ReadEnum(failureNode, section + ".on_failure", ScannerFailureActions, onFailure) : onFailure,
        TryGet(fields, "max_size", out var sizeNode) ? ReadSize(sizeNode, section + ".max_size", 1024, 4L * 1024 * 1024 * 1024, maxSize) : maxSize);
}
