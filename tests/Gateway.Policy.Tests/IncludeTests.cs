namespace Gateway.Policy.Tests;

public sealed class IncludeTests : IDisposable
{
    private readonly PolicyFiles _files = new();

    public void Dispose() => _files.Dispose();

    [Fact]
    public void Included_files_are_merged_and_listed_as_sources()
    {
        _files.Write("conf.d/domains.yaml", "domains: [a.test]\ninclude: [../nested/networks.yaml]\n");
        _files.Write("nested/networks.yaml", "trusted_networks: [10.0.0.0/8]\n");
        var result = _files.Load("include: [conf.d/domains.yaml]\n" + PolicyFiles.Minimal);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(["a.test"], result.Policy!.Domains);
        Assert.Single(result.Policy.TrustedNetworks);
        Assert.Equal(
            [_files.PathOf("gateway.yaml"), _files.PathOf("conf.d/domains.yaml"), _files.PathOf("nested/networks.yaml")],
            result.Policy.SourceFiles);
    }

    [Fact]
    public void Paths_in_an_included_file_resolve_against_its_own_directory()
    {
        _files.Write("conf.d/tls.yaml", "tls:\n  certificate: cert.pem\n  key: cert.pem\nstate_directory: spool\n");
        _files.Write("conf.d/cert.pem", "pem");
        var result = _files.Load("include: [conf.d/tls.yaml]\n" + PolicyFiles.Minimal);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(_files.PathOf("conf.d/cert.pem"), result.Policy!.Tls.CertificateFile);
        Assert.Equal(_files.PathOf("conf.d/spool"), result.Policy.StateDirectory);
    }

    [Fact]
    public void Absolute_include_path_is_used_as_is()
    {
        var other = _files.Write("elsewhere/d.yaml", "domains: [b.test]\n");
        var result = _files.Load($"include: [\"{other}\"]\n" + PolicyFiles.Minimal);

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(["b.test"], result.Policy!.Domains);
    }

    [Fact]
    public void Key_defined_twice_across_files_is_an_error_at_the_second_naming_the_first()
    {
        _files.Write("more.yaml", "# extra\nhostname: other.example.test\n");
        var result = _files.Load(PolicyFiles.Minimal + "include: [more.yaml]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(
            $"{_files.PathOf("more.yaml")}:2:1: 'hostname' is already defined at {_files.PathOf("gateway.yaml")}:1:1",
            error.ToString());
    }

    [Fact]
    public void Include_before_definition_makes_the_main_file_the_second_place()
    {
        _files.Write("more.yaml", "hostname: other.example.test\n");
        var result = _files.Load("include: [more.yaml]\n" + PolicyFiles.Minimal);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{_files.PathOf("gateway.yaml")}:2:1: 'hostname' is already defined at {_files.PathOf("more.yaml")}:1:1", error.ToString());
    }

    [Fact]
    public void Same_file_included_twice_reports_duplicate_definitions()
    {
        _files.Write("d.yaml", "domains: [a.test]\n");
        var result = _files.Load("include: [d.yaml, d.yaml]\n" + PolicyFiles.Minimal);

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{_files.PathOf("d.yaml")}:1:1: 'domains' is already defined at {_files.PathOf("d.yaml")}:1:1", error.ToString());
    }

    [Fact]
    public void Include_cycle_is_an_error_at_the_closing_include()
    {
        _files.Write("a.yaml", "include: [b.yaml]\n");
        _files.Write("b.yaml", "domains: [a.test]\ninclude:\n  - a.yaml\n");
        var result = _files.Load(PolicyFiles.Minimal + "include: [a.yaml]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("b.yaml"), error.File);
        Assert.Equal((3, 5), (error.Line, error.Column));
        Assert.Equal($"include cycle: {_files.PathOf("a.yaml")} -> {_files.PathOf("b.yaml")} -> {_files.PathOf("a.yaml")}", error.Message);
    }

    [Fact]
    public void Including_itself_is_a_cycle()
    {
        var result = _files.Load(PolicyFiles.Minimal + "include: [gateway.yaml]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, 11), (error.Line, error.Column));
        Assert.StartsWith("include cycle: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Include_depth_is_limited_to_eight()
    {
        for (var i = 1; i <= 9; i++)
        {
            _files.Write($"i{i}.yaml", i < 9 ? $"include: [i{i + 1}.yaml]\n" : "domains: [deep.test]\n");
        }

        var result = _files.Load(PolicyFiles.Minimal + "include: [i1.yaml]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal(_files.PathOf("i8.yaml"), error.File);
        Assert.Equal((1, 11), (error.Line, error.Column));
        Assert.Equal("include: nesting deeper than 8 levels", error.Message);
    }

    [Fact]
    public void Eight_levels_are_allowed()
    {
        for (var i = 1; i <= 8; i++)
        {
            _files.Write($"i{i}.yaml", i < 8 ? $"include: [i{i + 1}.yaml]\n" : "domains: [deep.test]\n");
        }

        var result = _files.Load(PolicyFiles.Minimal + "include: [i1.yaml]\n");

        Assert.True(result.Success, string.Join(Environment.NewLine, result.Errors));
        Assert.Equal(["deep.test"], result.Policy!.Domains);
    }

    [Fact]
    public void Missing_include_is_an_error_at_the_item()
    {
        var result = _files.Load(PolicyFiles.Minimal + "include:\n  - present.yaml\n  - missing.yaml\n".Replace("  - present.yaml\n", string.Empty, StringComparison.Ordinal));

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{_files.PathOf("gateway.yaml")}:6:5: included file '{_files.PathOf("missing.yaml")}': file not found", error.ToString());
    }

    [Fact]
    public void Include_must_be_a_list_of_names()
    {
        var result = _files.Load(PolicyFiles.Minimal + "include: other.yaml\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, 10, "include: expected a sequence of file names, found 'other.yaml'"), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Include_item_must_be_a_name()
    {
        var result = _files.Load(PolicyFiles.Minimal + "include: [[a.yaml]]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal((5, 11, "include: expected a file name, found a sequence"), (error.Line, error.Column, error.Message));
    }

    [Fact]
    public void Errors_in_included_files_carry_their_file_and_position()
    {
        _files.Write("limits.yaml", "limits:\n  errors: 0\n  bogus: 1\n");
        _files.Write("broken.yaml", "domains: [a.test\n");
        var result = _files.Load(PolicyFiles.Minimal + "include: [limits.yaml, broken.yaml]\n");

        Assert.Equal(3, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.File == _files.PathOf("limits.yaml") && e.Line == 2 && e.Column == 11 && e.Message.Contains("out of range", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.File == _files.PathOf("limits.yaml") && e.Line == 3 && e.Column == 3 && e.Message.StartsWith("unknown key 'bogus'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.File == _files.PathOf("broken.yaml") && e.Message.StartsWith("YAML syntax error", StringComparison.Ordinal));
    }

    [Fact]
    public void Included_file_that_is_not_a_mapping_is_an_error()
    {
        _files.Write("list.yaml", "- a\n");
        var result = _files.Load(PolicyFiles.Minimal + "include: [list.yaml]\n");

        var error = Assert.Single(result.Errors);
        Assert.Equal($"{_files.PathOf("list.yaml")}:1:1: the top level of a policy file must be a mapping of keys, found a sequence", error.ToString());
    }
}
