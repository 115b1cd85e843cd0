using System.Text.RegularExpressions;
using Gateway.Policy.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Gateway.Policy.Yaml;

/// <summary>
/// Turns the text of one policy file into a <see cref="YamlNode"/> tree, reporting every problem as a
/// <see cref="PolicyError"/> instead of throwing.
/// </summary>
/// <remarks>
/// Deliberately smaller than YAML: one document per file, scalar keys only, no anchors, aliases or tags.
/// Aliases would let a few lines expand into an exponential tree ("billion laughs") and make a rule's real
/// value depend on text far away; a policy file has no need for them.
/// </remarks>
internal static partial class YamlDocumentReader
{
    /// <summary>Deeper than any legitimate policy (the schema needs 3 levels); bounds recursion.</summary>
    public const int MaxDepth = 32;

    /// <summary>
    /// Parses <paramref name="text"/>. Returns the root node, or null when the file is empty or has errors
    /// (which are added to <paramref name="errors"/>).
    /// </summary>
    public static YamlNode? Read(string file, string text, List<PolicyError> errors)
    {
        var builder = new Builder(file, errors);
        var scanner = new Scanner(new StringReader(text));
        var parser = new Parser(scanner);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.Accept<StreamEnd>(out _))
            {
                errors.Add(new PolicyError(file, 1, 1, "policy file is empty"));
                return null;
            }

            parser.Consume<DocumentStart>();
            var root = builder.ReadNode(parser, 1);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var second))
            {
                builder.Add(second, "a policy file holds exactly one YAML document");
            }

            if (builder.Failed)
            {
                return null;
            }

            if (root is YamlScalar { IsNull: true })
            {
                errors.Add(new PolicyError(file, 1, 1, "policy file is empty"));
                return null;
            }

            return root;
        }
        catch (YamlException ex)
        {
            // A bare "*:" key (the catch-all route) reads as an alias and fails a line or two later with a
            // message that does not say why; point at the key instead.
            var star = BareStarKey().Match(text);
            if (star.Success)
            {
                var line = text.AsSpan(0, star.Index).Count('\n') + 1;
                if (line <= ex.Start.Line)
                {
                    var column = star.Groups["indent"].Length + 1;
                    errors.Add(new PolicyError(file, line, column, "YAML syntax error: a bare * starts an alias; quote the key: \"*\""));
                    return null;
                }
            }

            // "found invalid tab as indentation" is marked where the enclosing mapping began (often line 1); the tab
            // itself is what to fix.
            if (ex.Message.Contains("tab", StringComparison.Ordinal) && TabIndentation().Match(text) is { Success: true } tab)
            {
                var line = text.AsSpan(0, tab.Index).Count('\n') + 1;
                errors.Add(new PolicyError(file, line, tab.Groups["before"].Length + 1, "YAML syntax error: a tab in the indentation; indent with spaces"));
                return null;
            }

            errors.Add(At(file, ex.Start).Error("YAML syntax error: " + StripMarks(ex.Message)));
            return null;
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this, not a YamlException, on some broken input (a flow collection "[" or
            // "{" left open before the next key); where it stopped reading is still the place to look.
            errors.Add(At(file, scanner.CurrentPosition).Error("YAML syntax error: the text here cannot be read (is a [ or { left unclosed above?)"));
            return null;
        }
    }

    [GeneratedRegex(@"^(?<indent>[ \t]*)\*[ \t]*:", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex BareStarKey();

    [GeneratedRegex(@"^(?<before> *)\t", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex TabIndentation();

    /// <summary>YamlDotNet marks are 1-based longs; a policy file is at most 1 MiB so they fit an int.</summary>
    private static SourcePosition At(string file, Mark mark) =>
        new(file, (int)Math.Min(mark.Line, int.MaxValue), (int)Math.Min(mark.Column, int.MaxValue));

    /// <summary>YamlDotNet prefixes messages with "(Line: 1, Col: 2, Idx: 3) - (...): "; we print our own position.</summary>
    private static string StripMarks(string message) => MarkPrefix().Replace(message, string.Empty);

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", RegexOptions.CultureInvariant)]
    private static partial Regex MarkPrefix();

    private sealed class Builder
    {
        private readonly string _file;
        private readonly List<PolicyError> _errors;

        public Builder(string file, List<PolicyError> errors)
        {
            _file = file;
            _errors = errors;
        }

        public bool Failed { get; private set; }

        public void Add(ParsingEvent at, string message)
        {
            _errors.Add(At(_file, at.Start).Error(message));
            Failed = true;
        }

        public YamlNode ReadNode(IParser parser, int depth)
        {
            var current = parser.Current ?? throw new YamlException("unexpected end of input");
            if (depth > MaxDepth)
            {
                throw new YamlException(current.Start, current.End, $"nesting deeper than {MaxDepth} levels");
            }

            if (current is AnchorAlias alias)
            {
                parser.MoveNext();
                Add(alias, "YAML aliases (*name) are not supported in policy files");
                return new YamlScalar(Position(alias), string.Empty, ScalarStyle.Plain);
            }

            if (current is NodeEvent node)
            {
                if (!node.Anchor.IsEmpty)
                {
                    Add(node, "YAML anchors (&name) are not supported in policy files");
                }

                if (!node.Tag.IsEmpty)
                {
                    Add(node, "YAML tags (!tag) are not supported in policy files");
                }
            }

            switch (current)
            {
                case Scalar scalar:
                    parser.MoveNext();
                    return new YamlScalar(Position(scalar), scalar.Value, scalar.Style);

                case SequenceStart start:
                    parser.MoveNext();
                    return ReadSequence(parser, start, depth);

                case MappingStart start:
                    parser.MoveNext();
                    return ReadMapping(parser, start, depth);

                default:
                    throw new YamlException(current.Start, current.End, $"unexpected {current.GetType().Name}");
            }
        }

        private YamlSequence ReadSequence(IParser parser, SequenceStart start, int depth)
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                items.Add(ReadNode(parser, depth + 1));
            }

            return new YamlSequence(Position(start), items);
        }

        private YamlMapping ReadMapping(IParser parser, MappingStart start, int depth)
        {
            var entries = new List<YamlEntry>();
            var seen = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var key = ReadNode(parser, depth + 1);
                var value = ReadNode(parser, depth + 1);
                if (key is not YamlScalar scalarKey)
                {
                    Add(keyEvent, "mapping keys must be scalars");
                    continue;
                }

                if (seen.TryGetValue(scalarKey.Value, out var first))
                {
                    // YAML 1.2 3.2.1.1: keys of a mapping are unique; silently letting one copy win hides a mistake.
                    Add(keyEvent, $"duplicate key '{Echo.Of(scalarKey.Value)}' (first defined at line {first.Position.Line}, column {first.Position.Column})");
                    continue;
                }

                seen.Add(scalarKey.Value, scalarKey);
                entries.Add(new YamlEntry(scalarKey, value));
            }

            return new YamlMapping(Position(start), entries);
        }

        private SourcePosition Position(ParsingEvent e) => At(_file, e.Start);
    }
}
