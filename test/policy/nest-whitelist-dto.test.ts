import { join } from 'node:path';
import { RuleTester } from '@typescript-eslint/rule-tester';
import rule from '../../rules/no-client-tenant-id.js';

// A NestJS `@Body()` DTO under a `ValidationPipe({ whitelist: true })` holds only the fields the DTO
// declares (docmost's `UpdateUserDto` spread into a Kysely `.set({ ...dto })`): written as a whole, it
// cannot carry a tenant key the DTO lacks. Without the pipe, or with a DTO that declares the key, the
// client still picks the tenant. Linted as a file of test/http/project (Prisma; Invoice keyed by orgId).
const project = join(import.meta.dirname, '..', 'http', 'project');
const filename = join(project, 'src', 'handler.ts');
const ruleTester = new RuleTester({ defaultFilenames: { ts: filename, tsx: filename } });

const head = `import { Body, Controller, Param, Patch, Req, UsePipes, ValidationPipe } from '@nestjs/common';
import { OmitType, PartialType, PickType } from '@nestjs/mapped-types';
import { prisma } from './lib/db';
export class CreateInvoiceDto {
  number!: number;
  status!: string;
  orgId!: string;
}
export class RenameDto {
  status!: string;
}
`;
const controller = (pipe: string, dto: string, bodyPipe = '') => `${head}export class UpdateInvoiceDto extends ${dto} {
  note?: string;
}
@Controller('invoices')
${pipe ? `@UsePipes(${pipe})\n` : ''}export class InvoicesController {
  @Patch(':number')
  update(@Req() req: { user: { orgId: string } }, @Param('number') number: string, @Body(${bodyPipe}) dto: UpdateInvoiceDto) {
    return prisma.invoice.update({ where: { orgId_number: { orgId: req.user.orgId, number: Number(number) } }, data: { ...dto } });
  }
}
`;
const whitelist = 'new ValidationPipe({ whitelist: true, transform: true })';
// the handler line (where `@Body()` is read): 19 with the controller's `@UsePipes`, 18 without
const line = 19;

ruleTester.run('no-client-tenant-id: NestJS DTO under a whitelisting ValidationPipe', rule, {
  valid: [
    // the controller's pipe strips every field UpdateInvoiceDto does not declare: no orgId
    controller(whitelist, 'RenameDto'),
    controller('new ValidationPipe({ forbidNonWhitelisted: true })', 'RenameDto'),
    // inherited through the mapped types: orgId is omitted
    controller(whitelist, "PartialType(OmitType(CreateInvoiceDto, ['orgId'] as const))"),
    controller(whitelist, "PickType(CreateInvoiceDto, ['number', 'status'])"),
    // the pipe on the parameter
    controller('', 'RenameDto', whitelist),
  ],
  invalid: [
    // no pipe: the body is whatever the client sent
    { code: controller('', 'RenameDto'), errors: [{ messageId: 'massAssignment', line: line - 1 }] },
    // a validating pipe that keeps undeclared fields
    { code: controller('new ValidationPipe({ transform: true })', 'RenameDto'), errors: [{ messageId: 'massAssignment', line }] },
    { code: controller('new ValidationPipe({ whitelist: false })', 'RenameDto'), errors: [{ messageId: 'massAssignment', line }] },
    // the DTO declares the tenant key (inherited)
    { code: controller(whitelist, 'PartialType(CreateInvoiceDto)'), errors: [{ messageId: 'massAssignment', line }] },
    { code: controller(whitelist, "PickType(CreateInvoiceDto, ['number', 'orgId'])"), errors: [{ messageId: 'massAssignment', line }] },
    // a base the analysis cannot read: unchanged
    { code: controller(whitelist, 'UnknownBase').replace('export class UpdateInvoiceDto', 'declare const UnknownBase: new () => object;\nexport class UpdateInvoiceDto'), errors: [{ messageId: 'massAssignment', line: line + 1 }] },
  ],
});
