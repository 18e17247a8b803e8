using FlowLens.Core.FlowLogs;
using FlowLens.Core.Lookups;

namespace FlowLens.Core.Filters;

/// <summary>
/// Parses the filter language: AWS field names compared with values (<c>= != &lt; &lt;= &gt; &gt;=</c>,
/// <c>in (…)</c>, <c>not in (…)</c>), combined with <c>and</c>, <c>or</c>, <c>not</c> and parentheses. Keywords and
/// enum values are case-insensitive; a value may be quoted (<c>'…'</c>). Never throws: an error says what and where.
/// </summary>
public sealed class FilterParser
{
    private enum TokenKind { Word, Quoted, Operator, LeftParen, RightParen, Comma, End }

    private sealed record Token(TokenKind Kind, string Text, int Position);

    private readonly List<Token> _tokens;
    private readonly int _maxDepth;
    private int _next;
    private int _depth;

    private FilterParser(List<Token> tokens, int maxDepth) => (_tokens, _maxDepth) = (tokens, maxDepth);

    /// <summary>
    /// The syntax tree (null for an empty filter: everything matches), or the first error; a filter over the
    /// <paramref name="limits"/> (default <see cref="FilterLimits.Default"/>) is an error, so recursion stays bounded.
    /// </summary>
    public static (FilterNode? Root, FilterError? Error) Parse(string? text, FilterLimits? limits = null)
    {
        limits ??= FilterLimits.Default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return (null, null);
        }
        if (text.Length > limits.MaxLength)
        {
            return (null, new FilterError(limits.MaxLength + 1, $"the filter is longer than {limits.MaxLength} characters"));
        }
        if (!TryLex(text, out var tokens, out var lexError))
        {
            return (null, lexError);
        }
        try
        {
            var parser = new FilterParser(tokens, limits.MaxDepth);
            var root = parser.ParseOr();
            var rest = parser.Peek;
            return rest.Kind == TokenKind.End ? (root, null) : (null, new FilterError(rest.Position, $"unexpected '{rest.Text}'"));
        }
        catch (FilterException e)
        {
            return (null, e.Error);
        }
    }

    // Internal control flow only: Parse turns it into a result.
    private sealed class FilterException(FilterError error) : Exception(error.Message)
    {
        public FilterError Error { get; } = error;
    }

    private Token Peek => _tokens[_next];

    private Token Take() => _tokens[_next++];

    private bool TakeKeyword(string keyword)
    {
        if (Peek.Kind == TokenKind.Word && Peek.Text.Equals(keyword, StringComparison.OrdinalIgnoreCase))
        {
            _next++;
            return true;
        }
        return false;
    }

    private static FilterException Fail(int position, string message) => new(new FilterError(position, message));

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (TakeKeyword("or"))
        {
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseNot();
        while (TakeKeyword("and"))
        {
            left = new AndNode(left, ParseNot());
        }
        return left;
    }

    private FilterNode ParseNot()
    {
        var at = Peek.Position;
        if (!TakeKeyword("not"))
        {
            return ParsePrimary();
        }
        Nest(at);
        var operand = ParseNot();
        _depth--;
        return new NotNode(operand, at);
    }

    private FilterNode ParsePrimary()
    {
        var token = Take();
        if (token.Kind == TokenKind.LeftParen)
        {
            Nest(token.Position);
            var inner = ParseOr();
            if (Take() is { Kind: not TokenKind.RightParen } missing)
            {
                throw Fail(missing.Position, $"expected ')' to close the '(' at character {token.Position}");
            }
            _depth--;
            return inner;
        }
        if (token.Kind != TokenKind.Word || token.Text.ToLowerInvariant() is "and" or "or" or "in")
        {
            throw Fail(token.Position, token.Kind == TokenKind.End ? "expected a field name, found the end of the filter" : $"expected a field name, found '{token.Text}'");
        }
        if (!FilterFields.TryFind(token.Text, out var field))
        {
            throw Fail(token.Position, $"unknown field '{token.Text}'");
        }

        var op = Take();
        if (op.Kind == TokenKind.Operator)
        {
            var oper = op.Text switch
            {
                "=" => FilterOperator.Equal,
                "!=" => FilterOperator.NotEqual,
                "<" => FilterOperator.Less,
                "<=" => FilterOperator.LessOrEqual,
                ">" => FilterOperator.Greater,
                _ => FilterOperator.GreaterOrEqual,
            };
            if (oper is not (FilterOperator.Equal or FilterOperator.NotEqual) && field.Kind is not (FilterKind.Number or FilterKind.Protocol))
            {
                throw Fail(op.Position, $"'{field.Name}' can be compared with =, !=, in and not in only");
            }
            return new ComparisonNode(field, oper, [Value(field, Take())], token.Position);
        }
        var negated = op.Kind == TokenKind.Word && op.Text.Equals("not", StringComparison.OrdinalIgnoreCase);
        if (negated)
        {
            op = Take();
        }
        if (op.Kind == TokenKind.Word && op.Text.Equals("in", StringComparison.OrdinalIgnoreCase))
        {
            return new ComparisonNode(field, negated ? FilterOperator.NotIn : FilterOperator.In, List(field), token.Position);
        }
        throw Fail(op.Position, $"expected =, !=, <, <=, >, >=, in or not in after '{field.Name}'");
    }

    /// <summary>One level deeper into '(' or 'not', or the error past the limit.</summary>
    private void Nest(int position)
    {
        if (++_depth > _maxDepth)
        {
            throw Fail(position, $"parentheses and 'not' are nested more than {_maxDepth} deep");
        }
    }

    private List<FilterValue> List(FilterField field)
    {
        var open = Take();
        if (open.Kind != TokenKind.LeftParen)
        {
            throw Fail(open.Position, "expected '(' to start the list of values");
        }
        var values = new List<FilterValue> { Value(field, Take()) };
        while (true)
        {
            var next = Take();
            if (next.Kind == TokenKind.RightParen)
            {
                return values;
            }
            if (next.Kind != TokenKind.Comma)
            {
                throw Fail(next.Position, "expected ',' or ')' in the list of values");
            }
            values.Add(Value(field, Take()));
        }
    }

    private static FilterValue Value(FilterField field, Token token)
    {
        if (token.Kind is not (TokenKind.Word or TokenKind.Quoted))
        {
            throw Fail(token.Position, token.Kind == TokenKind.End ? $"expected a value for '{field.Name}', found the end of the filter" : $"expected a value for '{field.Name}', found '{token.Text}'");
        }
        var text = token.Text;
        switch (field.Kind)
        {
            case FilterKind.Address:
                return Address(text) ?? throw Fail(token.Position, $"'{text}' is not an IP address or CIDR block");
            case FilterKind.Number:
                return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    ? new FilterValue(n, null)
                    : throw Fail(token.Position, $"'{text}' is not a whole number");
            case FilterKind.Protocol:
                return Protocols.TryParse(text, out var protocol)
                    ? new FilterValue(protocol, null)
                    : throw Fail(token.Position, $"'{text}' is not a protocol number (0-255) or name (tcp, udp, icmp...)");
            case FilterKind.Enum:
                return field.Codes.TryGetValue(text, out var code)
                    ? new FilterValue(code, null)
                    : throw Fail(token.Position, $"'{text}' is not one of {string.Join(", ", field.Codes.Keys)}");
            case FilterKind.Context when field.Attribute == ContextAttribute.Country:
                return text.Length == 2 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1])
                    ? new FilterValue(null, text.ToUpperInvariant())
                    : throw Fail(token.Position, $"'{text}' is not a two-letter ISO 3166 country code (CN, US, DE...)");
            case FilterKind.Context when field.Attribute == ContextAttribute.Asn:
                var digits = text.StartsWith("AS", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
                return long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var asn) && asn <= uint.MaxValue
                    ? new FilterValue(asn, null)
                    : throw Fail(token.Position, $"'{text}' is not an autonomous system number (16509 or AS16509)");
            default:
                return new FilterValue(null, text);
        }
    }

    private static FilterValue? Address(string text)
    {
        var slash = text.IndexOf('/');
        var address = slash < 0 ? text : text[..slash];
        if (!FlowAddress.TryParse(address, out var parsed))
        {
            return null;
        }
        if (slash < 0)
        {
            return new FilterValue(null, parsed.ToString());
        }
        var max = parsed.IsIPv4 ? 32 : 128;
        return int.TryParse(text[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var bits) && bits <= max
            ? new FilterValue(null, $"{parsed}/{bits}", IsCidr: true)
            : null;
    }

    private static bool TryLex(string text, out List<Token> tokens, out FilterError? error)
    {
        tokens = [];
        error = null;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var position = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')' or ',')
            {
                tokens.Add(new Token(c == '(' ? TokenKind.LeftParen : c == ')' ? TokenKind.RightParen : TokenKind.Comma, c.ToString(), position));
                i++;
            }
            else if (c is '=' or '!' or '<' or '>')
            {
                var two = i + 1 < text.Length && text[i + 1] == '=';
                if (c == '!' && !two)
                {
                    error = new FilterError(position, "'!' must be followed by '=' (use 'not' to negate)");
                    return false;
                }
                var op = c == '=' ? "=" : two ? $"{c}=" : c.ToString();
                tokens.Add(new Token(TokenKind.Operator, op, position));
                i += c != '=' && two ? 2 : 1;
            }
            else if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    error = new FilterError(position, "the quoted value is not closed");
                    return false;
                }
                tokens.Add(new Token(TokenKind.Quoted, text[(i + 1)..end], position));
                i = end + 1;
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '=' or '!' or '<' or '>' or '\''))
                {
                    i++;
                }
                tokens.Add(new Token(TokenKind.Word, text[start..i], position));
            }
        }
        tokens.Add(new Token(TokenKind.End, "", text.Length + 1));
        return true;
    }
}
