using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace FlowLens.Api.Tests.Architecture;

/// <summary>A use of one type by another in a compiled assembly: <c>From</c> names <c>To</c> somewhere.</summary>
public sealed record TypeReference(string From, string To, string FromNamespace, string ToNamespace);

/// <summary>
/// Reads every reference between the types of one assembly from its metadata: base types, interfaces, fields,
/// signatures, attributes, generic constraints and the tokens in method bodies, so a fully qualified name counts
/// like a using. Compiler-generated nested types (lambdas, async state machines) count as their outermost type.
/// </summary>
public static class TypeReferences
{
    public static IReadOnlyList<TypeReference> Within(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var references = new HashSet<TypeReference>();
        foreach (var handle in md.TypeDefinitions)
        {
            var from = Outermost(md, handle);
            var found = new Found();
            Collect(md, pe, handle, found);
            foreach (var to in found.Types.Select(t => Outermost(md, t)).Where(t => t != from).Distinct())
            {
                references.Add(new TypeReference(Name(md, from), Name(md, to), Namespace(md, from), Namespace(md, to)));
            }
        }
        return [.. references];
    }

    /// <summary>The names of the assemblies an assembly references and of every type it uses from them.</summary>
    public static (IReadOnlyList<string> Assemblies, IReadOnlyList<string> Types) External(string assemblyPath)
    {
        using var pe = new PEReader(File.OpenRead(assemblyPath));
        var md = pe.GetMetadataReader();
        var assemblies = md.AssemblyReferences.Select(a => md.GetString(md.GetAssemblyReference(a).Name)).ToList();
        var types = md.TypeReferences.Select(t => md.GetTypeReference(t))
            .Select(t => $"{md.GetString(t.Namespace)}.{md.GetString(t.Name)}").ToList();
        return (assemblies, types);
    }

    private sealed class Found
    {
        public HashSet<TypeDefinitionHandle> Types { get; } = [];
    }

    private static void Collect(MetadataReader md, PEReader pe, TypeDefinitionHandle handle, Found found)
    {
        var provider = new Provider(found);
        var type = md.GetTypeDefinition(handle);
        AddType(md, type.BaseType, provider);
        foreach (var i in type.GetInterfaceImplementations())
        {
            AddType(md, md.GetInterfaceImplementation(i).Interface, provider);
        }
        AddAttributes(md, type.GetCustomAttributes(), provider);
        AddConstraints(md, type.GetGenericParameters(), provider);
        foreach (var f in type.GetFields())
        {
            var field = md.GetFieldDefinition(f);
            field.DecodeSignature(provider, null);
            AddAttributes(md, field.GetCustomAttributes(), provider);
        }
        foreach (var p in type.GetProperties())
        {
            var property = md.GetPropertyDefinition(p);
            property.DecodeSignature(provider, null);
            AddAttributes(md, property.GetCustomAttributes(), provider);
        }
        foreach (var e in type.GetEvents())
        {
            AddType(md, md.GetEventDefinition(e).Type, provider);
        }
        foreach (var m in type.GetMethods())
        {
            var method = md.GetMethodDefinition(m);
            method.DecodeSignature(provider, null);
            AddAttributes(md, method.GetCustomAttributes(), provider);
            AddConstraints(md, method.GetGenericParameters(), provider);
            foreach (var p in method.GetParameters())
            {
                AddAttributes(md, md.GetParameter(p).GetCustomAttributes(), provider);
            }
            if (method.RelativeVirtualAddress != 0)
            {
                AddBody(md, pe.GetMethodBody(method.RelativeVirtualAddress), provider);
            }
        }
    }

    private static void AddAttributes(MetadataReader md, CustomAttributeHandleCollection attributes, Provider provider)
    {
        foreach (var a in attributes)
        {
            AddToken(md, md.GetCustomAttribute(a).Constructor, provider);
        }
    }

    private static void AddConstraints(MetadataReader md, GenericParameterHandleCollection parameters, Provider provider)
    {
        foreach (var p in parameters)
        {
            foreach (var c in md.GetGenericParameter(p).GetConstraints())
            {
                AddType(md, md.GetGenericParameterConstraint(c).Type, provider);
            }
        }
    }

    private static void AddBody(MetadataReader md, MethodBodyBlock body, Provider provider)
    {
        if (!body.LocalSignature.IsNil)
        {
            md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(provider, null);
        }
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            var first = il.ReadByte();
            var code = first == 0xFE ? OpCodes2[il.ReadByte()] : OpCodes1[first];
            switch (code.OperandType)
            {
                case OperandType.InlineField or OperandType.InlineMethod or OperandType.InlineTok or OperandType.InlineType or OperandType.InlineSig:
                    AddToken(md, MetadataTokens.EntityHandle(il.ReadInt32()), provider);
                    break;
                case OperandType.InlineSwitch:
                    // The count, then that many targets: read the count first (il.Offset += 4 * il.ReadInt32() would
                    // add to the offset from before the count, and read the count's bytes again as opcodes).
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                default:
                    il.Offset += OperandSize(code.OperandType);
                    break;
            }
        }
    }

    private static void AddType(MetadataReader md, EntityHandle handle, Provider provider)
    {
        if (!handle.IsNil)
        {
            AddToken(md, handle, provider);
        }
    }

    /// <summary>Adds the types a token names: a type, a member's declaring type, a generic method's or type's arguments.</summary>
    private static void AddToken(MetadataReader md, EntityHandle handle, Provider provider)
    {
        switch (handle.Kind)
        {
            case HandleKind.TypeDefinition:
                provider.Found.Types.Add((TypeDefinitionHandle)handle);
                break;
            case HandleKind.TypeSpecification:
                md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(provider, null);
                break;
            case HandleKind.MethodDefinition:
                provider.Found.Types.Add(md.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.FieldDefinition:
                provider.Found.Types.Add(md.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType());
                break;
            case HandleKind.MemberReference:
                AddToken(md, md.GetMemberReference((MemberReferenceHandle)handle).Parent, provider);
                break;
            case HandleKind.MethodSpecification:
                var spec = md.GetMethodSpecification((MethodSpecificationHandle)handle);
                AddToken(md, spec.Method, provider);
                spec.DecodeSignature(provider, null);
                break;
            case HandleKind.StandaloneSignature:
                var signature = md.GetStandaloneSignature((StandaloneSignatureHandle)handle);
                if (signature.GetKind() == StandaloneSignatureKind.Method)
                {
                    signature.DecodeMethodSignature(provider, null);
                }
                break;
        }
    }

    private static int OperandSize(OperandType operand) => operand switch
    {
        OperandType.InlineNone => 0,
        OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
        OperandType.InlineVar => 2,
        OperandType.InlineI8 or OperandType.InlineR => 8,
        _ => 4, // InlineBrTarget, InlineI, ShortInlineR, InlineString
    };

    private static readonly Dictionary<byte, OpCode> OpCodes1 = Codes(one: true);
    private static readonly Dictionary<byte, OpCode> OpCodes2 = Codes(one: false);

    private static Dictionary<byte, OpCode> Codes(bool one) => typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .Where(c => one ? c.Size == 1 : c.Size == 2)
        .ToDictionary(c => (byte)(c.Value & 0xFF));

    private static TypeDefinitionHandle Outermost(MetadataReader md, TypeDefinitionHandle handle)
    {
        while (md.GetTypeDefinition(handle).GetDeclaringType() is { IsNil: false } outer)
        {
            handle = outer;
        }
        return handle;
    }

    private static string Namespace(MetadataReader md, TypeDefinitionHandle handle) => md.GetString(md.GetTypeDefinition(handle).Namespace);

    private static string Name(MetadataReader md, TypeDefinitionHandle handle)
    {
        var type = md.GetTypeDefinition(handle);
        return $"{md.GetString(type.Namespace)}.{md.GetString(type.Name)}";
    }

    /// <summary>Decodes signatures only for their side effect: every type of this assembly they name is recorded.</summary>
    private sealed class Provider(Found found) : ISignatureTypeProvider<object?, object?>
    {
        public Found Found { get; } = found;

        public object? GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind)
        {
            Found.Types.Add(handle);
            return null;
        }

        public object? GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);

        public object? GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => null;
        public object? GetPrimitiveType(PrimitiveTypeCode typeCode) => null;
        public object? GetSZArrayType(object? elementType) => null;
        public object? GetArrayType(object? elementType, ArrayShape shape) => null;
        public object? GetByReferenceType(object? elementType) => null;
        public object? GetPointerType(object? elementType) => null;
        public object? GetPinnedType(object? elementType) => null;
        public object? GetGenericInstantiation(object? genericType, ImmutableArray<object?> typeArguments) => null;
        public object? GetGenericMethodParameter(object? genericContext, int index) => null;
        public object? GetGenericTypeParameter(object? genericContext, int index) => null;
        public object? GetFunctionPointerType(MethodSignature<object?> signature) => null;
        public object? GetModifiedType(object? modifier, object? unmodifiedType, bool isRequired) => null;
    }
}
