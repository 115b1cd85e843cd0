namespace Gateway.Syntax.Tests;

public sealed class DotAtomTests
{
    [Theory]
    [InlineData('a', false, true)]
    [InlineData('Z', false, true)]
    [InlineData('7', false, true)]
    [InlineData('~', false, true)]
    [InlineData('\'', false, true)]
    [InlineData('.', false, false)]
    [InlineData('@', false, false)]
    [InlineData('"', false, false)]
    [InlineData('(', false, false)]
    [InlineData(' ', false, false)]
    [InlineData('\u007f', false, false)]
    [InlineData('ö', false, false)]
    [InlineData('ö', true, true)]
    public void Atext_is_rfc5322_with_optional_utf8(char c, bool allowUtf8, bool expected)
    {
        Assert.Equal(expected, DotAtom.IsAtext(c, allowUtf8));
    }

    [Theory]
    [InlineData("user", true)]
    [InlineData("!#$%&'*+-/=?^_`{|}~", true)]
    [InlineData("", false)]
    [InlineData("a.b", false)]
    [InlineData("a b", false)]
    public void Atoms_are_atext_runs(string text, bool expected)
    {
        Assert.Equal(expected, DotAtom.IsAtom(text, allowUtf8: false));
    }

    [Theory]
    [InlineData("user", false, true)]
    [InlineData("first.last+tag", false, true)]
    [InlineData("a.b.c", false, true)]
    [InlineData("jörg.x", true, true)]
    [InlineData("jörg.x", false, false)]
    [InlineData("", false, false)]
    [InlineData(".user", false, false)]
    [InlineData("user.", false, false)]
    [InlineData("us..er", false, false)]
    [InlineData(".", false, false)]
    [InlineData("john doe", true, false)]
    [InlineData("a@b", true, false)]
    [InlineData("a\"b", true, false)]
    public void Dot_atoms_have_single_inner_dots(string text, bool allowUtf8, bool expected)
    {
        Assert.Equal(expected, DotAtom.IsDotAtom(text, allowUtf8));
    }
}
