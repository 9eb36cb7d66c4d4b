using System.Reflection;

namespace OpenTrace.Hosting;

/// <summary>What kind of function a type is.</summary>
internal enum FunctionKind
{
    Http,
    CloudEvent,
    TypedCloudEvent,
}

/// <summary>A function type, its contract, and for typed CloudEvent functions the data type.</summary>
internal sealed record FunctionDescriptor(Type FunctionType, FunctionKind Kind, Type? DataType)
{
    private const string Contracts = "IHttpFunction, ICloudEventFunction or ICloudEventFunction<TData>";

    /// <summary>Whether <paramref name="type"/> is a concrete class implementing at least one function contract.</summary>
    public static bool IsFunction(Type type) =>
        type.IsClass && !type.IsAbstract && !type.ContainsGenericParameters
        && (typeof(IHttpFunction).IsAssignableFrom(type) || typeof(ICloudEventFunction).IsAssignableFrom(type)
            || type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICloudEventFunction<>)));

    /// <summary>Describes <paramref name="type"/>; throws when it is not a function or implements several contracts.</summary>
    public static FunctionDescriptor Describe(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!IsFunction(type))
        {
            throw new ArgumentException($"{type.FullName} is not a function: a function is a concrete class implementing {Contracts}.", nameof(type));
        }

        var found = new List<FunctionDescriptor>(1);
        if (typeof(IHttpFunction).IsAssignableFrom(type))
        {
            found.Add(new(type, FunctionKind.Http, null));
        }

        if (typeof(ICloudEventFunction).IsAssignableFrom(type))
        {
            found.Add(new(type, FunctionKind.CloudEvent, null));
        }

        foreach (var contract in type.GetInterfaces())
        {
            if (contract.IsGenericType && contract.GetGenericTypeDefinition() == typeof(ICloudEventFunction<>))
            {
                found.Add(new(type, FunctionKind.TypedCloudEvent, contract.GetGenericArguments()[0]));
            }
        }

        return found.Count == 1
            ? found[0]
            : throw new ArgumentException(
                $"Function {type.FullName} implements {found.Count} function contracts ({string.Join(", ", found.Select(ContractName))}); a function implements exactly one.",
                nameof(type));
    }

    /// <summary>
    /// Picks the function named by <paramref name="target"/> (full or simple type name) among the functions in
    /// <paramref name="types"/>; with no target, the only function. Errors name FUNCTION_TARGET and the candidates.
    /// </summary>
    public static FunctionDescriptor Resolve(string assemblyName, IEnumerable<Type> types, string? target)
    {
        var candidates = types.Where(IsFunction).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();
        var names = string.Join(", ", candidates.Select(c => c.FullName));
        if (candidates.Count == 0)
        {
            throw new InvalidOperationException($"Assembly {assemblyName} has no function: no concrete class implements {Contracts}.");
        }

        if (string.IsNullOrWhiteSpace(target))
        {
            return candidates.Count == 1
                ? Describe(candidates[0])
                : throw new InvalidOperationException(
                    $"FUNCTION_TARGET is not set and assembly {assemblyName} has {candidates.Count} functions; set FUNCTION_TARGET to one of: {names}.");
        }

        target = target.Trim();
        var byFullName = candidates.Where(c => string.Equals(c.FullName, target, StringComparison.Ordinal)).ToList();
        if (byFullName.Count == 1)
        {
            return Describe(byFullName[0]);
        }

        var bySimpleName = candidates.Where(c => string.Equals(c.Name, target, StringComparison.Ordinal)).ToList();
        return bySimpleName.Count switch
        {
            1 => Describe(bySimpleName[0]),
            0 => throw new InvalidOperationException(
                $"FUNCTION_TARGET '{target}' does not name a function in assembly {assemblyName}; functions: {names}."),
            _ => throw new InvalidOperationException(
                $"FUNCTION_TARGET '{target}' matches {bySimpleName.Count} functions in assembly {assemblyName} ({string.Join(", ", bySimpleName.Select(c => c.FullName))}); use the full type name."),
        };
    }

    /// <summary>The loadable types of an assembly, skipping those whose dependencies are missing.</summary>
    public static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private static string ContractName(FunctionDescriptor f) => f.Kind switch
    {
        FunctionKind.Http => nameof(IHttpFunction),
        FunctionKind.CloudEvent => nameof(ICloudEventFunction),
        _ => $"ICloudEventFunction<{f.DataType!.Name}>",
    };
}
